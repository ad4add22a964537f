package fr.interieur.neogend.gateway.transcoding;

import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PathTemplateTest {

    @Test
    void bindsSingleSegmentVariables() {
        PathTemplate t = PathTemplate.parse("/api/v1/devices/{imei}");
        assertThat(t.match("/api/v1/devices/490154203237518")).contains(Map.of("imei", "490154203237518"));
        assertThat(t.match("/api/v1/devices")).isEmpty();
        assertThat(t.match("/api/v1/devices/1/2")).isEmpty();
    }

    @Test
    void decodesPercentEncodingButKeepsPlus() {
        PathTemplate t = PathTemplate.parse("/api/v1/units/{code}");
        assertThat(t.match("/api/v1/units/GN%20X+1")).contains(Map.of("code", "GN X+1"));
    }

    @Test
    void customVerbIsNotSwallowedByAVariable() {
        PathTemplate plain = PathTemplate.parse("/api/v1/devices/{imei}");
        PathTemplate verb = PathTemplate.parse("/api/v1/devices/{imei}:declareStolen");
        assertThat(plain.match("/api/v1/devices/1:declareStolen")).isEmpty();
        assertThat(verb.match("/api/v1/devices/1:declareStolen")).contains(Map.of("imei", "1"));
        assertThat(verb.specificity()).isGreaterThan(plain.specificity());
    }

    @Test
    void nestedFieldAndMultiSegmentPatterns() {
        PathTemplate t = PathTemplate.parse("/api/v1/{unit.name=units/*}/children/{rest=**}");
        Optional<Map<String, String>> m = t.match("/api/v1/units/GN-RBRE/children/a/b/c");
        assertThat(m).contains(Map.of("unit.name", "units/GN-RBRE", "rest", "a/b/c"));
        assertThat(t.variables()).containsExactly("unit.name", "rest");
    }

    @Test
    void refusesMalformedTemplates() {
        assertThatThrownBy(() -> PathTemplate.parse("api/v1")).hasMessageContaining("must start with '/'");
        assertThatThrownBy(() -> PathTemplate.parse("/api/{imei")).hasMessageContaining("unclosed");
        assertThatThrownBy(() -> PathTemplate.parse("/api//x")).hasMessageContaining("empty segment");
        assertThatThrownBy(() -> PathTemplate.parse("/api/{1bad}")).hasMessageContaining("bad variable");
    }
}
