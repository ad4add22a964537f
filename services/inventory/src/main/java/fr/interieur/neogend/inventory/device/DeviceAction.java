package fr.interieur.neogend.inventory.device;

/** The explicit transitions of a device's life cycle (DOMAIN rule 8), as named in its history. */
public enum DeviceAction {
    ASSIGN("assign it"),
    UNASSIGN("unassign it"),
    SEND_TO_REPAIR("send it to repair"),
    RETURN_FROM_REPAIR("return it from repair"),
    FAIL_REPAIR("close its repair as failed"),
    DECLARE_LOST("declare it lost"),
    DECLARE_STOLEN("declare it stolen"),
    EXCHANGE_OUT("exchange it out of its pack"),
    EXCHANGE_IN("put it into a pack by exchange"),
    MARK_FOR_RETURN("mark it for return"),
    RETURN("confirm its return");

    private final String verb;

    DeviceAction(String verb) {
        this.verb = verb;
    }

    public String verb() {
        return verb;
    }
}
