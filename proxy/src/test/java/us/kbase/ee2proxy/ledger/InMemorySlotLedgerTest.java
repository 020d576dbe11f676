package us.kbase.ee2proxy.ledger;

class InMemorySlotLedgerTest extends SlotLedgerContract {
    @Override
    protected SlotLedger create(LeaseTerms terms) {
        return new InMemorySlotLedger(terms);
    }
}
