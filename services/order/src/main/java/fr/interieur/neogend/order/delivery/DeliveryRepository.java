package fr.interieur.neogend.order.delivery;

import java.time.LocalDate;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Storage of deliveries (implemented in the persistence package). */
public interface DeliveryRepository {

    String nextId();

    /** Stores a posted delivery; false when its note number is taken for the agreement. */
    boolean insert(Delivery delivery, String actor);

    Optional<Delivery> find(String id);

    List<Delivery> ofOrder(String orderNumber);

    /** Units delivered so far per line of an order (devices and items over all its deliveries). */
    Map<String, Long> deliveredPerLine(String orderNumber);

    /** Units received so far per line of an order. */
    Map<String, Long> receivedPerLine(String orderNumber);

    /** Those of these IMEIs delivered already (in any delivery). */
    Set<String> deliveredImeis(Collection<String> imeis);

    /** Records a reception: devices received on {@code day}, item quantities added, the new state. */
    void receive(
            String deliveryId, Collection<String> imeis, Map<String, Long> items, LocalDate day, Delivery.State state);
}
