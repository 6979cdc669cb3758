-- Deliveries are claimed with a lease (see docs/webhooks.md, "Several nodes"): every node runs a
-- checkpoint verticle against this one outbox, and a dispatcher claims the due deliveries it is
-- about to send in one statement (FOR UPDATE SKIP LOCKED), naming itself and how long the claim
-- holds. Another dispatcher claims a delivery only once no lease holds it; only the holder records
-- an attempt's result, which ends the lease; a dead node's claims lapse and are claimed again.
ALTER TABLE webhook_deliveries
    ADD COLUMN claimed_by  text,          -- the dispatcher that claimed it last: node id / verticle instance
    ADD COLUMN lease_until timestamptz;   -- held until then; null once its attempt was recorded
