package fr.interieur.neogend.order.supplierclient;

import org.springframework.cloud.openfeign.EnableFeignClients;
import org.springframework.context.annotation.Configuration;

/** The supplier's order-intake API through OpenFeign (the only Feign client of the service). */
@Configuration(proxyBeanMethods = false)
@EnableFeignClients(clients = SupplierOrderIntakeClient.class)
class SupplierClientConfiguration {}
