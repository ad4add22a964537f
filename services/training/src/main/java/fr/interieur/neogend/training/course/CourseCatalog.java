package fr.interieur.neogend.training.course;

import fr.interieur.neogend.kit.paging.Page;
import fr.interieur.neogend.kit.paging.PageRequest;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** Reads courses page by page (keyset pagination on code). */
@Service
public class CourseCatalog {

    private static final String FILTERS = "course";

    private final CourseRepository repository;

    public CourseCatalog(CourseRepository repository) {
        this.repository = repository;
    }

    /** One page of Course rows and the token of the next (empty on the last page). */
    @Transactional(readOnly = true)
    public Page<Course> list(int pageSize, String pageToken) {
        PageRequest page = PageRequest.of(pageSize, pageToken, FILTERS);
        return page.toPage(
                repository.page(page.afterKey(), page.fetchSize()), item -> String.valueOf(item.code()), FILTERS);
    }
}
