package fr.interieur.neogend.training.course;

import java.util.List;
import java.util.Optional;

/** Storage of courses (implemented in the persistence package). */
public interface CourseRepository {

    /** At most {@code limit} rows ordered by code, after {@code after} when given. */
    List<Course> page(Optional<String> after, int limit);
}
