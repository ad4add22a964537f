package fr.interieur.neogend.training.course;

import java.util.List;
import java.util.Optional;

/** Storage of courses (table {@code course}, owned by the persistence adapter implementing this port). */
public interface CourseRepository {

    /** At most {@code limit} rows ordered by code, after {@code after} when given. */
    List<Course> page(Optional<String> after, int limit);

    /** The course of that code. */
    Optional<Course> find(String code);

    /** Stores a new course; false when a course of that code exists already (nothing changed). */
    boolean insert(Course course);
}
