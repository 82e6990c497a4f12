ALTER TABLE `contacts` ADD `email_frequency` text DEFAULT 'all' NOT NULL;--> statement-breakpoint
ALTER TABLE `contacts` ADD `paused_until` integer;