-- 0019: the card timeline (store.CardTimeline) walks each kind of a card's
-- story newest first by (time, id): one index per kind, so a page costs the
-- same at any depth. The links by operation id fold a movement's
-- notifications and deliveries into its line.

CREATE INDEX card_transactions_source_op ON card_transactions(source_operation_id) WHERE source_operation_id <> '';
CREATE INDEX webhook_events_card_time ON webhook_events(card_id, received_at, id) WHERE card_id <> '';
CREATE INDEX webhook_events_by_operation_id ON webhook_events(operation_id);
CREATE INDEX outbox_card_time ON outbox(card_id, created_at, id);
CREATE INDEX outbox_operation_id ON outbox(operation_id);
CREATE INDEX card_status_history_card_time ON card_status_history(card_id, at, id);
CREATE INDEX audit_log_target_time ON audit_log(target_type, target_id, at, id);
