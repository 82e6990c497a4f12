CREATE TABLE `flow_node_stats` (
	`flow_id` integer NOT NULL,
	`node_id` text NOT NULL,
	`entered` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`flow_id`, `node_id`)
);
--> statement-breakpoint
CREATE TABLE `flow_segment_members` (
	`flow_id` integer NOT NULL,
	`contact_id` integer NOT NULL,
	PRIMARY KEY(`flow_id`, `contact_id`)
);
