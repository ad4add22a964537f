package fr.interieur.neogend.training.course;

import fr.interieur.neogend.kit.paging.PageRequest;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import java.util.List;

/** Reads courses page by page (keyset pagination on code). */
@Service
public class CourseCatalog {

    private static final String FILTERS = "course";

    /** One page and the token of the next (empty on the last page). */
    public record Page(List<Course> items, String nextPageToken) {
    }

    private final CourseRepository repository;

    public CourseCatalog(CourseRepository repository) {
        this.repository = repository;
    }

    @Transactional(readOnly = true)
    public Page list(int pageSize, String pageToken) {
        PageRequest page = PageRequest.of(pageSize, pageToken, FILTERS);
        List<Course> rows = repository.page(page.afterKey(), page.size() + 1);
        if (rows.size() <= page.size()) {
            return new Page(rows, "");
        }
        List<Course> shown = List.copyOf(rows.subList(0, page.size()));
        return new Page(shown, PageRequest.tokenAfter(String.valueOf(shown.get(shown.size() - 1).code()), FILTERS));
    }
}
