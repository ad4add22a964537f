package fr.interieur.neogend.gateway.security;

import org.junit.jupiter.api.Test;
import org.springframework.security.web.server.firewall.StrictServerWebExchangeFirewall;

import java.util.List;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** The loops agree with the patterns they replace, on ordinary and hostile input. */
class FastSecurityChecksTest {

    private static final Pattern BEARER = Pattern.compile("[a-zA-Z0-9-._~+/]+=*");

    private static final List<String> SAMPLES = List.of(
            "",
            "Bearer abc.def-ghi_jkl~mno+pqr/stu==",
            "abc=",
            "=",
            "==",
            "a=b",
            "a b",
            "abc\u0000",
            "line\nbreak",
            "tab\there",
            "é accentué",
            "日本語",
            "\u0378",
            "emoji \uD83D\uDE00",
            "\uD800",
            "x\u007F",
            "x\u0085y",
            "ok/+~._-");

    @Test
    void headerRuleMatchesSpringSecuritysPattern() {
        for (String s : SAMPLES) {
            assertThat(FastSecurityChecks.headerValueAllowed(s))
                    .as("header value %s", s)
                    .isEqualTo(StrictServerWebExchangeFirewall.ALLOWED_HEADER_VALUES.test(s));
            assertThat(FastSecurityChecks.headerNameAllowed(s))
                    .as("header name %s", s)
                    .isEqualTo(StrictServerWebExchangeFirewall.ALLOWED_HEADER_NAMES.test(s));
        }
    }

    @Test
    void bearerRuleMatchesRfc6750() {
        for (String s : SAMPLES) {
            assertThat(FastSecurityChecks.isBearerToken(s))
                    .as("token %s", s)
                    .isEqualTo(BEARER.matcher(s).matches());
        }
    }
}
