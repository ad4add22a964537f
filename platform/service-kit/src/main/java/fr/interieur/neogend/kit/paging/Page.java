package fr.interieur.neogend.kit.paging;

import java.util.List;

/**
 * One page of results and the token of the next one (empty on the last page).
 *
 * @param <T> the item type
 */
public record Page<T>(List<T> items, String nextPageToken) {

    public Page {
        items = List.copyOf(items);
    }
}
