package fr.interieur.neogend.inventory.unit;

import fr.interieur.neogend.kit.error.AccessDeniedException;
import fr.interieur.neogend.kit.error.AlreadyExistsException;
import fr.interieur.neogend.kit.error.ConcurrentChangeException;
import fr.interieur.neogend.kit.error.InvalidArgumentException;
import fr.interieur.neogend.kit.error.NotFoundException;
import fr.interieur.neogend.kit.error.PreconditionFailedException;
import fr.interieur.neogend.kit.error.Validation;
import fr.interieur.neogend.kit.paging.Page;
import fr.interieur.neogend.kit.paging.PageRequest;
import fr.interieur.neogend.kit.security.Caller;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * The organisation tree: create, read, list children, move. Every call is checked against the
 * caller's reach: a unit manager works inside its own unit's subtree only, and cannot move or
 * re-create its own unit.
 */
@Service
public class UnitService {

    /** Upper-case letters and digits, parts joined by '-': no LIKE wildcard and no '/' can appear. */
    public static final Pattern CODE = Pattern.compile("[A-Z0-9]{1,12}(-[A-Z0-9]{1,12}){0,7}");

    private final UnitRepository units;
    private final Clock clock;

    public UnitService(UnitRepository units, Optional<Clock> clock) {
        this.units = units;
        this.clock = clock.orElse(Clock.systemUTC());
    }

    /** What the caller may see and change. */
    @Transactional(readOnly = true)
    public Reach reachOf(Caller caller) {
        if (!caller.restrictedToUnit()) {
            return Reach.all();
        }
        return caller.unitCode()
                .flatMap(units::find)
                .map(u -> Reach.under(u.path()))
                .orElse(Reach.nothing());
    }

    @Transactional
    public Unit create(
            String code, String name, Optional<UnitLevel> level, Optional<String> parentCode, Caller caller) {
        Validation v = new Validation();
        v.check(
                code != null && CODE.matcher(code).matches(),
                "unit.code",
                "must be upper-case letters and digits, parts joined by '-', e.g. GN-RBRE-GGD35");
        v.required(name, "unit.name");
        v.check(name == null || name.length() <= 200, "unit.name", "must be at most 200 characters");
        v.check(level.isPresent(), "unit.level", "is required");
        v.throwIfInvalid();
        // a parent being moved meanwhile would leave the new unit under its old path
        units.lockTree();
        Reach reach = reachOf(caller);
        UnitLevel unitLevel = level.orElseThrow();
        String path;
        if (unitLevel.parentLevel().isEmpty()) {
            if (parentCode.isPresent()) {
                throw InvalidArgumentException.of("unit.parent_code", "must be empty for a NATIONAL unit");
            }
            if (!reach.wholeFleet()) {
                throw new AccessDeniedException("only a fleet manager creates a national root unit");
            }
            path = Unit.rootPath(code);
        } else {
            String parentCodeValue = parentCode.orElseThrow(() -> InvalidArgumentException.of(
                    "unit.parent_code",
                    "is required for a " + unitLevel + " (its parent is a "
                            + unitLevel.parentLevel().get() + ")"));
            Unit parent = visible(parentCodeValue, reach, "unit.parent_code");
            requireParentLevel(unitLevel, parent, "unit.parent_code");
            path = parent.childPath(code);
        }
        Instant now = now();
        Unit unit = new Unit(code, name.trim(), unitLevel, parentCode, path, now, now, 0);
        if (!units.insert(unit, caller.username())) {
            throw new AlreadyExistsException("a unit with code " + code + " exists already");
        }
        return unit;
    }

    /** The unit, if the caller may see it; NOT_FOUND otherwise (existence is not revealed). */
    @Transactional(readOnly = true)
    public Unit get(String code, Caller caller) {
        return visible(code, reachOf(caller), "code");
    }

    /** Children of a unit, or the roots the caller sees (its own unit for a unit manager). */
    @Transactional(readOnly = true)
    public Page<Unit> list(Optional<String> parentCode, int pageSize, String pageToken, Caller caller) {
        Reach reach = reachOf(caller);
        String filters = parentCode.orElse("");
        PageRequest page = PageRequest.of(pageSize, pageToken, filters);
        List<Unit> rows;
        if (parentCode.isPresent()) {
            visible(parentCode.get(), reach, "parent_code");
            rows = units.children(parentCode, page.afterKey(), page.fetchSize());
        } else if (reach.wholeFleet()) {
            rows = units.children(Optional.empty(), page.afterKey(), page.fetchSize());
        } else {
            rows = caller.unitCode()
                    .flatMap(units::find)
                    .filter(u -> page.afterKey()
                            .map(after -> u.code().compareTo(after) > 0)
                            .orElse(true))
                    .map(List::of)
                    .orElse(List.of());
        }
        return page.toPage(rows, Unit::code, filters);
    }

    /** Moves a unit and its whole subtree (devices and packs follow, being held by unit code). */
    @Transactional
    public Unit move(String code, String newParentCode, OptionalLong expectedVersion, Caller caller) {
        // two moves at once (a unit, and its new parent elsewhere) read each other's old paths and left a
        // subtree under a path its parent no longer has: moves and creations go one after the other
        units.lockTree();
        Reach reach = reachOf(caller);
        Unit unit = visible(code, reach, "code");
        if (newParentCode == null || newParentCode.isBlank()) {
            throw InvalidArgumentException.of("new_parent_code", "is required");
        }
        if (!reach.wholeFleet() && caller.unitCode().filter(code::equals).isPresent()) {
            throw new AccessDeniedException("a unit manager cannot move its own unit " + code);
        }
        expectedVersion.ifPresent(expected -> {
            if (expected != unit.version()) {
                throw new ConcurrentChangeException(
                        "unit " + code + " is at version " + unit.version() + ", not " + expected + "; read it again");
            }
        });
        Unit parent = visible(newParentCode, reach, "new_parent_code");
        requireParentLevel(unit.level(), parent, "new_parent_code");
        if (parent.path().startsWith(unit.path())) {
            throw new PreconditionFailedException("unit " + newParentCode + " lies inside " + code);
        }
        if (unit.parentCode().filter(newParentCode::equals).isPresent()) {
            return unit;
        }
        if (!units.move(unit, newParentCode, parent.childPath(code), unit.version())) {
            throw new ConcurrentChangeException("unit " + code + " changed meanwhile; read it again and retry");
        }
        return units.find(code).orElseThrow();
    }

    /** The paths of those of these codes that exist, by code. */
    @Transactional(readOnly = true)
    public java.util.Map<String, String> pathsOf(java.util.Collection<String> codes) {
        return units.pathsOf(codes);
    }

    /**
     * The paths of the units a caller restricted to a subtree is about to place devices in, their rows held until
     * the transaction ends (see {@link #pathForChange}); a caller reaching the whole fleet holds nothing.
     */
    @Transactional(propagation = Propagation.MANDATORY)
    public java.util.Map<String, String> pathsForChange(java.util.Collection<String> codes, Reach reach) {
        return reach.wholeFleet() ? units.pathsOf(codes) : units.pathsHeld(codes);
    }

    /** The path of a unit holding devices or packs, for reach checks. */
    @Transactional(readOnly = true)
    public Optional<String> pathOf(String code) {
        return units.find(code).map(Unit::path);
    }

    /**
     * The path of the unit holding a device or pack that a caller restricted to a subtree is about to change:
     * for such a caller the unit's row is held until the change commits, so that a move taking the unit out of
     * the caller's reach waits for the change (or the change, coming second, sees the new path and is refused).
     * A caller reaching the whole fleet holds nothing.
     */
    @Transactional(propagation = Propagation.MANDATORY)
    public Optional<String> pathForChange(String code, Reach reach) {
        return reach.wholeFleet() ? units.find(code).map(Unit::path) : units.pathHeld(code);
    }

    /**
     * The unit a device or pack is placed in: it must exist and lie in the caller's reach. For a caller restricted
     * to a subtree the unit's row is held until the transaction ends (see {@link #pathForChange}).
     *
     * @return its path
     */
    @Transactional(propagation = Propagation.MANDATORY)
    public String requirePlaceable(String code, Reach reach, String field) {
        if (code == null || !CODE.matcher(code).matches()) {
            throw InvalidArgumentException.of(field, "is not a unit code");
        }
        String path = pathForChange(code, reach)
                .orElseThrow(
                        () -> InvalidArgumentException.of(field, "unit " + code + " does not exist; create it first"));
        if (!reach.covers(path)) {
            throw new AccessDeniedException("unit " + code + " is outside your unit");
        }
        return path;
    }

    private Unit visible(String code, Reach reach, String field) {
        if (code == null || !CODE.matcher(code).matches()) {
            throw InvalidArgumentException.of(field, "is not a unit code");
        }
        return units.find(code)
                .filter(u -> reach.covers(u.path()))
                .orElseThrow(() -> new NotFoundException("no unit " + code));
    }

    private static void requireParentLevel(UnitLevel level, Unit parent, String field) {
        UnitLevel wanted = level.parentLevel().orElseThrow();
        if (parent.level() != wanted) {
            throw new PreconditionFailedException(
                    "a " + level + " goes under a " + wanted + "; " + parent.code() + " is a " + parent.level());
        }
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }
}
