package fr.interieur.neogend.order.purchaseorder;

/** The transitions of a purchase order. */
public enum OrderAction {
    SUBMIT("submit"),
    APPROVE("approve"),
    REJECT("reject"),
    CANCEL("cancel"),
    MARK_SENT("mark as sent"),
    ACKNOWLEDGE("acknowledge"),
    DELIVER_PART("record a partial delivery of"),
    DELIVER_ALL("record the full delivery of"),
    CLOSE("close");

    private final String verb;

    OrderAction(String verb) {
        this.verb = verb;
    }

    public String verb() {
        return verb;
    }
}
