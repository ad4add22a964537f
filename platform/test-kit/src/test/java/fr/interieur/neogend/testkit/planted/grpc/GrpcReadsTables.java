package fr.interieur.neogend.testkit.planted.grpc;

import fr.interieur.neogend.testkit.planted.persistence.JdbcShelf;

/** Planted violation: the inbound adapter reaching storage around the application service. */
public class GrpcReadsTables {
    public int count(JdbcShelf shelf) {
        return shelf.count("x");
    }
}
