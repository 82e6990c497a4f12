CREATE TABLE `api_keys` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`key_hash` text NOT NULL,
	`prefix` text NOT NULL,
	`created_by` integer,
	`created_at` integer NOT NULL,
	`last_used_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `api_keys_key_hash_unique` ON `api_keys` (`key_hash`);--> statement-breakpoint
CREATE TABLE `campaigns` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`status` text DEFAULT 'draft' NOT NULL,
	`template_id` integer,
	`audience` text NOT NULL,
	`sender` text,
	`ab_test` text,
	`schedule_at` integer,
	`local_time` integer DEFAULT false NOT NULL,
	`max_per_hour` integer,
	`cursor` integer,
	`total` integer,
	`enqueued` integer DEFAULT 0 NOT NULL,
	`started_at` integer,
	`finished_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `campaigns_status` ON `campaigns` (`status`,`schedule_at`);--> statement-breakpoint
CREATE TABLE `contact_aliases` (
	`alias` text PRIMARY KEY NOT NULL,
	`contact_id` integer NOT NULL,
	`kind` text DEFAULT 'anonymous' NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `contact_aliases_contact` ON `contact_aliases` (`contact_id`);--> statement-breakpoint
CREATE TABLE `contacts` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`email` text,
	`external_id` text,
	`first_name` text,
	`last_name` text,
	`phone` text,
	`timezone` text,
	`locale` text,
	`country` text,
	`birthday` text,
	`properties` text DEFAULT '{}' NOT NULL,
	`status` text DEFAULT 'active' NOT NULL,
	`source` text DEFAULT 'api' NOT NULL,
	`order_count` integer DEFAULT 0 NOT NULL,
	`revenue` real DEFAULT 0 NOT NULL,
	`first_order_at` integer,
	`last_order_at` integer,
	`last_event_at` integer,
	`last_opened_at` integer,
	`last_clicked_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `contacts_email` ON `contacts` (`email`);--> statement-breakpoint
CREATE UNIQUE INDEX `contacts_external_id` ON `contacts` (`external_id`);--> statement-breakpoint
CREATE INDEX `contacts_created` ON `contacts` (`created_at`);--> statement-breakpoint
CREATE INDEX `contacts_status` ON `contacts` (`status`,`id`);--> statement-breakpoint
CREATE INDEX `contacts_last_order` ON `contacts` (`last_order_at`);--> statement-breakpoint
CREATE TABLE `dead_letters` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`queue` text NOT NULL,
	`body` text NOT NULL,
	`error` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`contact_id` integer NOT NULL,
	`type` text NOT NULL,
	`name` text NOT NULL,
	`properties` text DEFAULT '{}' NOT NULL,
	`value` real,
	`occurred_at` integer NOT NULL,
	`received_at` integer NOT NULL,
	`source` text NOT NULL,
	`message_id` text,
	`context` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `events_source_message` ON `events` (`source`,`message_id`);--> statement-breakpoint
CREATE INDEX `events_contact_time` ON `events` (`contact_id`,`occurred_at`);--> statement-breakpoint
CREATE INDEX `events_name_contact_time` ON `events` (`name`,`contact_id`,`occurred_at`);--> statement-breakpoint
CREATE INDEX `events_time` ON `events` (`occurred_at`);--> statement-breakpoint
CREATE TABLE `flow_runs` (
	`id` text PRIMARY KEY NOT NULL,
	`flow_id` integer NOT NULL,
	`version` integer NOT NULL,
	`contact_id` integer NOT NULL,
	`node_id` text,
	`status` text NOT NULL,
	`exit_reason` text,
	`holdout` integer DEFAULT false NOT NULL,
	`entered_at` integer NOT NULL,
	`next_at` integer,
	`exited_at` integer
);
--> statement-breakpoint
CREATE INDEX `flow_runs_flow` ON `flow_runs` (`flow_id`,`status`,`node_id`);--> statement-breakpoint
CREATE INDEX `flow_runs_contact` ON `flow_runs` (`contact_id`,`flow_id`);--> statement-breakpoint
CREATE TABLE `flow_versions` (
	`flow_id` integer NOT NULL,
	`version` integer NOT NULL,
	`definition` text NOT NULL,
	`published_at` integer NOT NULL,
	PRIMARY KEY(`flow_id`, `version`)
);
--> statement-breakpoint
CREATE TABLE `flows` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`status` text DEFAULT 'draft' NOT NULL,
	`live_version` integer,
	`draft` text NOT NULL,
	`event_names` text DEFAULT '[]' NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `forms` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`definition` text NOT NULL,
	`status` text DEFAULT 'active' NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `imports` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`filename` text NOT NULL,
	`status` text NOT NULL,
	`options` text DEFAULT '{}' NOT NULL,
	`bytes_total` integer,
	`bytes_read` integer DEFAULT 0 NOT NULL,
	`rows_processed` integer DEFAULT 0 NOT NULL,
	`rows_imported` integer DEFAULT 0 NOT NULL,
	`rows_rejected` integer DEFAULT 0 NOT NULL,
	`rejects` text DEFAULT '[]' NOT NULL,
	`error` text,
	`created_by` integer,
	`created_at` integer NOT NULL,
	`finished_at` integer
);
--> statement-breakpoint
CREATE TABLE `messages` (
	`id` text PRIMARY KEY NOT NULL,
	`idempotency_key` text NOT NULL,
	`contact_id` integer,
	`to_email` text,
	`kind` text NOT NULL,
	`template_id` integer,
	`campaign_id` integer,
	`flow_id` integer,
	`flow_node_id` text,
	`variant` text,
	`topic_id` integer,
	`subject` text,
	`status` text NOT NULL,
	`provider` text,
	`provider_message_id` text,
	`error` text,
	`attempts` integer DEFAULT 0 NOT NULL,
	`queued_at` integer NOT NULL,
	`sent_at` integer,
	`delivered_at` integer,
	`opened_at` integer,
	`clicked_at` integer,
	`bounced_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `messages_idempotency` ON `messages` (`idempotency_key`);--> statement-breakpoint
CREATE INDEX `messages_contact` ON `messages` (`contact_id`,`queued_at`);--> statement-breakpoint
CREATE INDEX `messages_campaign` ON `messages` (`campaign_id`,`status`);--> statement-breakpoint
CREATE INDEX `messages_flow` ON `messages` (`flow_id`,`flow_node_id`);--> statement-breakpoint
CREATE INDEX `messages_provider_id` ON `messages` (`provider_message_id`);--> statement-breakpoint
CREATE TABLE `outbox` (
	`message_id` text PRIMARY KEY NOT NULL,
	`to_email` text NOT NULL,
	`subject` text NOT NULL,
	`raw` text NOT NULL,
	`html` text,
	`text` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `products` (
	`id` text PRIMARY KEY NOT NULL,
	`sku` text,
	`name` text,
	`price` real,
	`currency` text,
	`url` text,
	`image_url` text,
	`category` text,
	`brand` text,
	`properties` text DEFAULT '{}' NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `rate_limits` (
	`key` text NOT NULL,
	`window` integer NOT NULL,
	`count` integer NOT NULL,
	PRIMARY KEY(`key`, `window`)
);
--> statement-breakpoint
CREATE INDEX `rate_limits_window` ON `rate_limits` (`window`);--> statement-breakpoint
CREATE TABLE `segment_snapshots` (
	`segment_id` integer NOT NULL,
	`day` text NOT NULL,
	`size` integer NOT NULL,
	PRIMARY KEY(`segment_id`, `day`)
);
--> statement-breakpoint
CREATE TABLE `segments` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`definition` text NOT NULL,
	`prebuilt` text,
	`size` integer,
	`counted_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `sessions` (
	`token_hash` text PRIMARY KEY NOT NULL,
	`user_id` integer NOT NULL,
	`csrf_token` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`user_agent` text
);
--> statement-breakpoint
CREATE INDEX `sessions_user` ON `sessions` (`user_id`);--> statement-breakpoint
CREATE INDEX `sessions_expires` ON `sessions` (`expires_at`);--> statement-breakpoint
CREATE TABLE `settings` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `subscriptions` (
	`contact_id` integer NOT NULL,
	`topic_id` integer NOT NULL,
	`status` text NOT NULL,
	`source` text NOT NULL,
	`form_id` integer,
	`ip` text,
	`user_agent` text,
	`page_url` text,
	`consent_text` text,
	`consent_version` text,
	`subscribed_at` integer,
	`confirmed_at` integer,
	`unsubscribed_at` integer,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`contact_id`, `topic_id`)
);
--> statement-breakpoint
CREATE INDEX `subscriptions_topic` ON `subscriptions` (`topic_id`,`status`);--> statement-breakpoint
CREATE TABLE `suppressions` (
	`email_hash` text PRIMARY KEY NOT NULL,
	`email` text,
	`reason` text NOT NULL,
	`detail` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `suppressions_created` ON `suppressions` (`created_at`);--> statement-breakpoint
CREATE TABLE `templates` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`subject` text NOT NULL,
	`preheader` text DEFAULT '' NOT NULL,
	`from_name` text,
	`from_email` text,
	`reply_to` text,
	`html` text NOT NULL,
	`text` text,
	`layout` text DEFAULT 'default' NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `topics` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`key` text NOT NULL,
	`name` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`kind` text DEFAULT 'marketing' NOT NULL,
	`double_opt_in` integer DEFAULT true NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `topics_key_unique` ON `topics` (`key`);--> statement-breakpoint
CREATE TABLE `users` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`email` text NOT NULL,
	`name` text DEFAULT '' NOT NULL,
	`password_hash` text NOT NULL,
	`role` text DEFAULT 'admin' NOT NULL,
	`created_at` integer NOT NULL,
	`password_changed_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `users_email_unique` ON `users` (`email`);--> statement-breakpoint
CREATE TABLE `write_keys` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`source` text NOT NULL,
	`key_hash` text NOT NULL,
	`prefix` text NOT NULL,
	`created_at` integer NOT NULL,
	`last_used_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `write_keys_key_hash_unique` ON `write_keys` (`key_hash`);