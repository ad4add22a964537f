package fr.interieur.neogend.telemetry.devicestatus;

import fr.interieur.neogend.kit.paging.Page;
import fr.interieur.neogend.kit.paging.PageRequest;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** Reads device statuses page by page (keyset pagination on imei). */
@Service
public class DeviceStatusCatalog {

    private static final String FILTERS = "device_status";

    private final DeviceStatusRepository repository;

    public DeviceStatusCatalog(DeviceStatusRepository repository) {
        this.repository = repository;
    }

    /** One page of DeviceStatus rows and the token of the next (empty on the last page). */
    @Transactional(readOnly = true)
    public Page<DeviceStatus> list(int pageSize, String pageToken) {
        PageRequest page = PageRequest.of(pageSize, pageToken, FILTERS);
        return page.toPage(repository.page(page.afterKey(), page.fetchSize()), item -> String.valueOf(item.imei()),
                FILTERS);
    }
}
