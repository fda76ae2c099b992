package dev.kiln.server.http;

/** What an endpoint answers: a status and a body that Jackson writes as JSON. */
record Reply(int status, Object body) {}
