CREATE TABLE `attributions` (
	`event_id` integer PRIMARY KEY NOT NULL,
	`contact_id` integer NOT NULL,
	`email_id` text NOT NULL,
	`campaign_id` integer,
	`flow_id` integer,
	`flow_node_id` text,
	`variant` text,
	`touch` text NOT NULL,
	`value` real DEFAULT 0 NOT NULL,
	`occurred_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `attributions_campaign` ON `attributions` (`campaign_id`,`occurred_at`);--> statement-breakpoint
CREATE INDEX `attributions_flow` ON `attributions` (`flow_id`,`occurred_at`);--> statement-breakpoint
CREATE INDEX `attributions_time` ON `attributions` (`occurred_at`);--> statement-breakpoint
ALTER TABLE `campaigns` ADD `topic_id` integer;--> statement-breakpoint
ALTER TABLE `campaigns` ADD `schedule` text;--> statement-breakpoint
ALTER TABLE `campaigns` ADD `state` text;--> statement-breakpoint
ALTER TABLE `campaigns` ADD `parent_id` integer;--> statement-breakpoint
ALTER TABLE `contacts` ADD `rfm_r` integer;--> statement-breakpoint
ALTER TABLE `contacts` ADD `rfm_f` integer;--> statement-breakpoint
ALTER TABLE `contacts` ADD `rfm_m` integer;