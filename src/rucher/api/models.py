"""The api app keeps no model of its own: personal access tokens are people's
(``people.models.AccessToken``)."""
