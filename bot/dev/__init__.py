"""Developer tooling, apart from the domain: the console, the local HTTP runner and the Slack
Web API stand-in. Nothing in bot/, handlers/ or scheduler/ imports this package, except the
CLI's `console` and `preview` commands, which load it when they run."""
