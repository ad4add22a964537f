package fr.interieur.neogend.inventory.device;

import java.util.Optional;

/**
 * Filters of a device listing, combined with AND, with its order and keyset cursor.
 *
 * @param unitPath  devices held by units under this path ({@code /A/B/})
 * @param notReturned only devices not yet RETURNED
 * @param agreementId only devices whose running pack is leased under this agreement
 * @param afterKey  keyset cursor from {@link DeviceOrder#keyOf}: only devices after it in the order
 */
public record DeviceQuery(
        Optional<DeviceState> state,
        Optional<PackType> packType,
        Optional<String> unitPath,
        Optional<String> model,
        Optional<String> holderAgentId,
        Optional<String> romBuild,
        boolean notReturned,
        Optional<String> agreementId,
        DeviceOrder order,
        Optional<String> afterKey,
        int limit) {

    /** A stable rendering of the filters and order (not the cursor), to bind page tokens to them. */
    public String filterKey() {
        return fr.interieur.neogend.kit.paging.PageRequest.filters(
                state.map(Enum::name).orElse(""),
                packType.map(Enum::name).orElse(""),
                unitPath.orElse(""),
                model.orElse(""),
                holderAgentId.orElse(""),
                romBuild.orElse(""),
                notReturned ? "not-returned" : "",
                agreementId.orElse(""),
                order.name());
    }
}
