package fr.interieur.neogend.testkit;

import com.google.protobuf.Descriptors.Descriptor;
import fr.interieur.neogend.common.v1.RulesProto;

/** What a request field's rule in the proto (the contract the OpenAPI document shows) promises a client. */
public final class ContractRules {

    private ContractRules() {}

    /** The most characters the contract lets the field of this request message hold. */
    public static int maxLength(Descriptor message, String field) {
        var descriptor = message.findFieldByName(field);
        if (descriptor == null) {
            throw new IllegalArgumentException(message.getFullName() + " has no field " + field);
        }
        return descriptor.getOptions().getExtension(RulesProto.field).getMaxLength();
    }
}
