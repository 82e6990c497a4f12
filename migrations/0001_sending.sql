ALTER TABLE `contacts` ADD `soft_bounces` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `contacts` DROP COLUMN `last_event_at`;--> statement-breakpoint
ALTER TABLE `events` ADD `email_id` text;--> statement-breakpoint
ALTER TABLE `events` ADD `flag` text;--> statement-breakpoint
CREATE INDEX `events_email` ON `events` (`email_id`,`name`);--> statement-breakpoint
ALTER TABLE `messages` ADD `data` text;--> statement-breakpoint
ALTER TABLE `messages` ADD `track_opens` integer DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE `messages` ADD `track_clicks` integer DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE `messages` ADD `claimed_at` integer;--> statement-breakpoint
ALTER TABLE `messages` ADD `machine_opened_at` integer;--> statement-breakpoint
ALTER TABLE `messages` ADD `unsubscribed_at` integer;--> statement-breakpoint
ALTER TABLE `messages` ADD `complained_at` integer;