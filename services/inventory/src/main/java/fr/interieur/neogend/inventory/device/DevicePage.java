package fr.interieur.neogend.inventory.device;

import java.util.List;

/** One page of devices and the token of the next page (empty on the last one). */
public record DevicePage(List<Device> devices, String nextPageToken) {
}
