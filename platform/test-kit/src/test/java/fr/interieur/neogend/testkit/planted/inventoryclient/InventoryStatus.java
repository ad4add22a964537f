package fr.interieur.neogend.testkit.planted.inventoryclient;

import io.grpc.Status;

/** The planted service's outbound adapter (the good shape): a *client package may speak gRPC. */
public class InventoryStatus {
    public Status unavailable() {
        return Status.UNAVAILABLE;
    }
}
