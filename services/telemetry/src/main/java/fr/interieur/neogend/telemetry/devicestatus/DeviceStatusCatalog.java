package fr.interieur.neogend.telemetry.devicestatus;

import fr.interieur.neogend.kit.paging.PageRequest;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import java.util.List;

/** Reads device statuses page by page (keyset pagination on imei). */
@Service
public class DeviceStatusCatalog {

    private static final String FILTERS = "device_status";

    /** One page and the token of the next (empty on the last page). */
    public record Page(List<DeviceStatus> items, String nextPageToken) {
    }

    private final DeviceStatusRepository repository;

    public DeviceStatusCatalog(DeviceStatusRepository repository) {
        this.repository = repository;
    }

    @Transactional(readOnly = true)
    public Page list(int pageSize, String pageToken) {
        PageRequest page = PageRequest.of(pageSize, pageToken, FILTERS);
        List<DeviceStatus> rows = repository.page(page.afterKey(), page.size() + 1);
        if (rows.size() <= page.size()) {
            return new Page(rows, "");
        }
        List<DeviceStatus> shown = List.copyOf(rows.subList(0, page.size()));
        return new Page(shown, PageRequest.tokenAfter(String.valueOf(shown.get(shown.size() - 1).imei()), FILTERS));
    }
}
