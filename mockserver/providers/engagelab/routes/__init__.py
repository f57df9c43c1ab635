"""EngageLab's HTTP operations, one module per resource: messages, template-configs, sign-configs."""
