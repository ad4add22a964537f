package fr.interieur.neogend.contract;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Any bytes read as the request of any RPC (what a direct gRPC caller can send): the rules answer
 * with at most {@link RequestRules#MAX_VIOLATIONS} violations, each naming a field and short, and
 * never throw.
 */
class RequestRulesFuzzTest {

    static final List<Descriptor> REQUESTS = requests();

    static List<Descriptor> requests() {
        List<Descriptor> out = new ArrayList<>();
        for (var file : List.of(
                fr.interieur.neogend.inventory.v1.InventoryServiceProto.getDescriptor(),
                fr.interieur.neogend.order.v1.OrderServiceProto.getDescriptor(),
                fr.interieur.neogend.accessories.v1.AccessoriesServiceProto.getDescriptor(),
                fr.interieur.neogend.training.v1.TrainingServiceProto.getDescriptor(),
                fr.interieur.neogend.telemetry.v1.TelemetryServiceProto.getDescriptor())) {
            file.getServices().forEach(s -> s.getMethods().forEach(m -> out.add(m.getInputType())));
        }
        return out;
    }

    @FuzzTest(maxDuration = "60s")
    void anyRequestIsJudgedNeverThrown(FuzzedDataProvider data) {
        Descriptor type = REQUESTS.get(data.consumeInt(0, REQUESTS.size() - 1));
        DynamicMessage request;
        try {
            request = DynamicMessage.parseFrom(type, data.consumeRemainingAsBytes());
        } catch (InvalidProtocolBufferException e) {
            return; // gRPC refuses these before any rule
        }
        List<RequestRules.Violation> violations = RequestRules.check(request);
        assertThat(violations).hasSizeLessThanOrEqualTo(RequestRules.MAX_VIOLATIONS);
        for (RequestRules.Violation v : violations) {
            assertThat(v.field()).isNotBlank().hasSizeLessThan(200);
            assertThat(v.description()).isNotBlank().hasSizeLessThan(200);
        }
    }
}
