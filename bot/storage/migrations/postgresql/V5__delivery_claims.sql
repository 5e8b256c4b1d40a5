-- When a card was last claimed (marked `sending`): after a crash, its channel is read from
-- then on. Cards already `sending` were claimed after they were recorded.
ALTER TABLE deliveries ADD COLUMN sending_at BIGINT;
UPDATE deliveries SET sending_at = created_at WHERE state = 'sending';
