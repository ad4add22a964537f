package fr.interieur.neogend.testkit.planted.reports;

import java.net.http.HttpClient;

/** Planted violation in a package no test names: the rule is total, so it is caught too. */
public class NewPackageWithHttp {
    public HttpClient client() {
        return HttpClient.newHttpClient();
    }
}
