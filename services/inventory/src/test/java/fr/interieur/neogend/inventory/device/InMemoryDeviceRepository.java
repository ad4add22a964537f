package fr.interieur.neogend.inventory.device;

import fr.interieur.neogend.kit.security.UnitScope;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** A fake for unit tests of the domain and the gRPC mapping; integration tests use PostgreSQL. */
public class InMemoryDeviceRepository implements DeviceRepository {

    private final Map<String, Device> devices = new TreeMap<>();

    @Override
    public synchronized boolean insert(Device device, String actor) {
        return devices.putIfAbsent(device.imei(), device) == null;
    }

    @Override
    public synchronized boolean serialTaken(String model, String serialNumber) {
        return devices.values().stream().anyMatch(d -> d.model().equals(model) && d.serialNumber().equals(serialNumber));
    }

    @Override
    public synchronized Optional<Device> findByImei(String imei) {
        return Optional.ofNullable(devices.get(imei));
    }

    @Override
    public synchronized Map<String, Device> findByImeis(Collection<String> imeis) {
        Map<String, Device> found = new HashMap<>();
        imeis.forEach(i -> findByImei(i).ifPresent(d -> found.put(i, d)));
        return found;
    }

    @Override
    public synchronized Map<ModelSerial, String> imeisBySerial(Collection<ModelSerial> serials) {
        Map<ModelSerial, String> found = new HashMap<>();
        for (Device d : devices.values()) {
            ModelSerial key = new ModelSerial(d.model(), d.serialNumber());
            if (serials.contains(key)) {
                found.put(key, d.imei());
            }
        }
        return found;
    }

    @Override
    public synchronized void insertAll(List<Device> batch, String actor) {
        batch.forEach(d -> {
            if (devices.putIfAbsent(d.imei(), d) != null) {
                throw new IllegalStateException("IMEI " + d.imei() + " stored twice");
            }
        });
    }

    @Override
    public synchronized Map<DeviceState, Long> countByState(Optional<String> unitSubtree) {
        Map<DeviceState, Long> counts = new java.util.EnumMap<>(DeviceState.class);
        inSubtree(unitSubtree).forEach(d -> counts.merge(d.state(), 1L, Long::sum));
        return counts;
    }

    @Override
    public synchronized Map<String, Long> countByUnit(Optional<String> unitSubtree) {
        Map<String, Long> counts = new TreeMap<>();
        inSubtree(unitSubtree).forEach(d -> counts.merge(d.unitCode().orElse(""), 1L, Long::sum));
        return counts;
    }

    private List<Device> inSubtree(Optional<String> unitSubtree) {
        return devices.values().stream().filter(d -> unitSubtree.map(u -> d.unitCode()
                .map(c -> UnitScope.contains(u, c)).orElse(false)).orElse(true)).toList();
    }

    @Override
    public synchronized List<Device> find(DeviceQuery q) {
        return devices.values().stream()
                .filter(d -> q.state().map(s -> s == d.state()).orElse(true))
                .filter(d -> q.packType().map(p -> d.packType().equals(Optional.of(p))).orElse(true))
                .filter(d -> q.unitSubtree().map(u -> d.unitCode().map(c -> UnitScope.contains(u, c)).orElse(false))
                        .orElse(true))
                .filter(d -> q.afterImei().map(a -> d.imei().compareTo(a) > 0).orElse(true))
                .limit(q.limit())
                .toList();
    }
}
