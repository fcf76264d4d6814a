"""rucher: a self-hosted enterprise social network."""
