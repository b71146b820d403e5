-- 0020: the command palette finds an API call by the start of its trace id.

CREATE INDEX api_requests_trace ON api_requests(trace_id);
