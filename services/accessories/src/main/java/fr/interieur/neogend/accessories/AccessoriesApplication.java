package fr.interieur.neogend.accessories;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/** The accessories service. Catalogue of accessories and spare parts; depots, stock and repairs come with the accessories issue. */
@SpringBootApplication
public class AccessoriesApplication {

    public static void main(String[] args) {
        SpringApplication.run(AccessoriesApplication.class, args);
    }
}
