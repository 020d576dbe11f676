#!/usr/bin/env python3
"""Writes vectors.jsonl: request bodies with what EE2 (Python 3.11's json.loads, then EE2's WSGI
handler) makes of them. JsonRpcSnifferVectorsTest asserts the Java sniffer agrees with every line.

Run from this directory with python3.11 after changing the cases:  python3 make_vectors.py
Each line: {"name", "hex" (the body), "kind": parse_error|not_a_call|call, ...}
  parse_error: "message" = str(ValueError) as EE2 puts it in its -32700 reply
  not_a_call:  "reason" (SniffResult.Reason), "method" when it is a string
  call:        "method", "id" (json.dumps of the parsed id), "creation" / "job_ids" / "status"
"""
import json
import random
import struct
import sys

assert sys.version_info[:2] == (3, 11), "vectors are Python 3.11's verdicts"

MODULE = "execution_engine2."
CREATE = {"run_job", "run_job_batch", "run_job_concierge", "retry_job", "retry_jobs"}
LIFECYCLE = {"start_job", "update_job_status", "add_job_logs", "finish_job", "cancel_job"}
STATUS = {"check_job", "check_jobs", "check_job_batch", "check_workspace_jobs", "check_job_canceled",
          "get_job_status", "check_jobs_date_range_for_user", "check_jobs_date_range_for_all",
          "get_job_logs", "get_job_params"}
ANY = "<any non-null>"


def run_job_params(d):
    def string(k):
        v = d.get(k)
        return v if isinstance(v, str) else None
    parent = d.get("parent_job_id")
    parent = None if not parent else (parent if isinstance(parent, str) else ANY)
    req = d.get("job_requirements")
    requirements = {"present": False, "ignore": False, "bill_to": None}
    if isinstance(req, dict):
        bill = req.get("bill_to_user")
        requirements = {"present": True, "ignore": bool(req.get("ignore_concurrency_limits")),
                        "bill_to": bill.strip() if isinstance(bill, str) and bill.strip() else None}
    method = string("method")
    # EE2's check_string strips the method before it runs it.
    return {"method": method.strip() if method is not None else None, "app_id": string("app_id"), "parent": parent,
            "as_admin": bool(d.get("as_admin")), "requirements": requirements, "remote_url": "remote_url" in d}


def creation(name, params):
    if not isinstance(params, list) or not params:
        return None
    first = params[0]
    if name in ("run_job", "run_job_concierge"):
        # EE2 applies the concierge rules only `if concierge_params:`.
        concierge = name == "run_job_concierge" and len(params) > 1 and bool(params[1])
        return {"type": "run_job", "concierge": concierge,
                "params": run_job_params(first)} if isinstance(first, dict) else None
    if name == "run_job_batch":
        if not isinstance(first, list):
            return None
        jobs = [run_job_params(j if isinstance(j, dict) else {}) for j in first]
        as_admin = len(params) > 1 and isinstance(params[1], dict) and bool(params[1].get("as_admin"))
        return {"type": "batch", "jobs": jobs, "as_admin": as_admin}
    if not isinstance(first, dict):
        return None
    if name == "retry_job":
        ids = [first["job_id"]] if isinstance(first.get("job_id"), str) else []
    else:
        ids = first.get("job_ids")
        ids = [i for i in ids if isinstance(i, str)] if isinstance(ids, list) else []
    return {"type": "retry", "single": name == "retry_job", "job_ids": ids,
            "as_admin": bool(first.get("as_admin"))}


def job_refs(params):
    if not isinstance(params, list) or not params:
        return [], None
    first = params[0]
    if isinstance(first, str):
        return [first], None
    if not isinstance(first, dict):
        return [], None
    ids = [first["job_id"]] if isinstance(first.get("job_id"), str) else []
    more = first.get("job_ids")
    if isinstance(more, list):
        ids += [i for i in more if isinstance(i, str)]
    status = first.get("status")
    return ids, status if isinstance(status, str) else None


def finish_status(params):
    """The status EE2's finish_job gives the job when it succeeds: `if error_message:` -> error."""
    if not isinstance(params, list) or not params or not isinstance(params[0], dict):
        return None
    return "error" if params[0].get("error_message") else "completed"


def verdict(body):
    try:
        req = json.loads(body)
    except ValueError as e:
        return {"kind": "parse_error", "message": str(e)}
    if not isinstance(req, dict):
        return {"kind": "not_a_call", "reason": "NOT_AN_OBJECT"}
    if "method" not in req:
        return {"kind": "not_a_call", "reason": "NO_METHOD"}
    method = req["method"]
    if not isinstance(method, str):
        return {"kind": "not_a_call", "reason": "METHOD_NOT_A_STRING"}
    for key, reason in ((None, "METHOD_WITHOUT_ONE_DOT"), ("id", "NO_ID"), ("params", "NO_PARAMS")):
        if (key is None and len(method.split(".")) != 2) or (key is not None and key not in req):
            return {"kind": "not_a_call", "reason": reason, "method": method}
    out = {"kind": "call", "method": method, "id": json.dumps(req["id"]),
           "version": json.dumps(req["version"]) if "version" in req else None,
           "jsonrpc": json.dumps(req["jsonrpc"]) if "jsonrpc" in req else None}
    wire = method[len(MODULE):] if method.startswith(MODULE) else None
    if wire in CREATE:
        out["creation"] = creation(wire, req["params"])
    elif wire in LIFECYCLE or wire in STATUS:
        out["job_ids"], status = job_refs(req["params"])
        if wire == "update_job_status":
            out["status"] = status
        elif wire == "finish_job":
            out["status"] = finish_status(req["params"])
    return out


def rpc(method, params, **extra):
    body = {"method": MODULE + method if "." not in method else method, "params": params,
            "version": "1.1", "id": "7364829105"}
    body.update(extra)
    return json.dumps(body)


CASES = []


def case(name, body):
    if isinstance(body, str):
        body = body.encode("utf-8", "surrogatepass")
    CASES.append((name, body))


# --- the grammar: every error message of the C scanner, and what it accepts -----------------
for text in ["", " ", "\t\n\r ", "x", "nul", "nulll", "null", "true", "false", "NaN", "Infinity",
             "-Infinity", "+Infinity", "-NaN", "infinity", "nan", "INF", "-", "+1", "01", "-01",
             "1.", ".5", "1.5", "1e5", "1E+5", "1e-5", "1e", "1e+", "1.e5", "-0", "-0.0e-0",
             "0x10", "1_000", "\u00a01", "1\u00a0", "[1 2]", "[1,]", "[,1]", "[", "]", "[[", "{",
             "}", "{}", "[]", " {} ", "{} x", "{}{}", "[]]", "{\"a\" 1}", "{\"a\":1,}", "{1:2}",
             "{'a':1}", "{\"a\":1 \"b\":2}", "{\"a\"::1}", "{\"a\":}", "{\"a\"", "{\"a\":1",
             "\"abc", "\"a\\", "\"\\x\"", "\"\\u12\"", "\"\\u1234", "\"\\uZZZZ\"",
             "\"\\ud800\\uZZZZ\"", "\"\\ud800\\u0041\"", "\"\\ud83d\\ude00\"", "\"\\uDFFF\"",
             "\"a\x01\"", "\"\t\"", "\"\x7f\"", "\"\x1f\"", "\"a\nb\"", "\"\\/\\b\\f\\n\\r\\t\\\"\\\\\"",
             "[1,\n2,\nx]", "\n\n  [1,\n   x", "{\"a\":[1,{\"b\":\"\\q\"}]}", "[true false]",
             "[truefalse]", "[nullx]", "[NaNa]", "{\"é\": \"ü\", x}", "[\"\U0001F600\", x]",
             "[\"\ud800\", x]", "1 2", "\"a\" \"b\"", "[1]x", "// c\n{}", "/* c */ {}", "{\"a\":1}//",
             "[1e999, -1e999, 1e-999]", "[-]", "[-x]", "[- 1]", "[1.5e]", "[1.5e+ ]", "[0.]",
             "[00]", "[1.0.0]", "[\"a\"\"b\"]", "{\"a\" : 1 , \"b\" : [ ] }", "\u2028{}",
             "{}\u2028", "\x00", "{\"a\":1}\x00", "[\x0c]", "[\x0b1]", "\x1c{}"]:
    case("grammar " + repr(text), text)
case("int of 4300 digits", "1" * 4300)
case("int of 4301 digits", "1" * 4301)
case("negative int of 4301 digits", "-" + "1" * 4301)
case("float of 5000 digits", "1" * 5000 + ".5")
case("exponent of 5000 digits", "1e" + "1" * 5000)
case("int limit before a syntax error", "[" + "9" * 4301 + ", x]")
case("syntax error before a big int", "[x, " + "9" * 4301 + "]")
case("nesting 500", "[" * 500 + "]" * 500)
case("nesting 500 unclosed", "{\"a\":" * 500)
case("long string", json.dumps("x" * 100000))

# --- encodings: detect_encoding's choices and 'surrogatepass' -------------------------------
SAMPLE = rpc("check_job", [{"job_id": "65a1b2c3d4e5f60718293a4b"}])
for codec in ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le",
              "utf-32-be"]:
    for name, text in [("call", SAMPLE), ("non-BMP", "{\"a\": \"\U0001F600\u00e9\", \"method\": 1}"),
                       ("error", "{\"a\": \"\U0001F600\", x}"), ("scalar", "1"), ("ws", "  7  "),
                       ("lone surrogate", "[\"\ud800\", 1]"), ("empty", "")]:
        case(f"{codec} {name}", text.encode(codec, "surrogatepass"))
case("utf-8 BOM twice", b"\xef\xbb\xbf\xef\xbb\xbf{}")
case("utf-8 BOM then error with bad byte later", b"\xef\xbb\xbf[x, \"\xff\"]")
for raw in [b"x\xff", b"\"\xff\"", b"[1, \"\xc3\"]", b"\"\xc3\xa9\"", b"\"\xc0\x80\"", b"\"\xc1\xbf\"",
            b"\"\xe0\x80\x80\"", b"\"\xe0\xa0\x80\"", b"\"\xed\x9f\xbf\"", b"\"\xed\xa0\x80\"",
            b"\"\xed\xbf\xbf\"", b"\"\xed\xa0\"", b"\"\xed\xa0", b"\"\xed\xa0\x80\xed\xb0\x80\"",
            b"\"\xe4\xb8\"", b"\"\xe4\xb8", b"\"\xe4", b"\"\xe4x\"", b"\"\xf0\x90\x80\x80\"",
            b"\"\xf0\x8f\xbf\xbf\"", b"\"\xf4\x8f\xbf\xbf\"", b"\"\xf4\x90\x80\x80\"", b"\"\xf5\x80\x80\x80\"",
            b"\"\xf0\x90\x80\"", b"\"\xf0\x90\x80", b"\"\xf0\x90", b"\"\xf0\x90\x80x\"", b"\"\xff\xfe\"",
            b"\"\x80\"", b"\"\xbf\"", b"[x]\xff", b"\xff", b"\xc3", b"{\"a\":\"\xe9\"}",
            b"[\"ok\", \"\xe2\x82\xac\"]", b"\xfe\xff\x00[\x00]", b"\xff\xfe[\x00]\x00",
            b"\xff\xfe[\x00]", b"\x00[\x00]\x00", b"[\x00]\x00", b"[\x00", b"\x00[", b"1\x00\x00",
            b"\x00\x00\x00[\x00\x00\x00]", b"[\x00\x00\x00]\x00\x00\x00", b"\x00\x00\x00[\x00\x00\x00",
            b"\x00\x00\x00\"\x00\x11\x00\x00\x00\x00\x00\"", b"\x00\x00\x00\"\x00\x00\xd8\x00\x00\x00\x00\"",
            b"\x00\x00\xfe\xff\x00\x00\x00[\x00\x00\x00]", b"\xff\xfe\x00\x00[\x00\x00\x00]\x00\x00\x00",
            b"\xff\xfe\x00\x00", b"\xfe\xff", b"\xff\xfe", b"\xfe\xff\x00", b"\"\x00\x00\xd8\"\x00",
            b"\"\x00\x00\xdc\"\x00", b"\"\x00\x00\xd8\x00\xdc\"\x00", b"\"\x00\x00\xd8",
            b"{\x00\"\x00a\x00\"\x00:\x001\x00}\x00x", b"\x00\"\x00\xd8\x00\x00\"",
            b"\x7b\x00\x7d", b"\x00\x7b\x00\x7d\x00", b"\x01\x00", b"\x00\x01"]:
    case("bytes " + repr(raw), raw)

# --- the envelope: what EE2's handler checks before dispatching ------------------------------
for name, body in [
        ("array batch", "[" + SAMPLE + "]"), ("empty array", "[]"), ("string", "\"x\""),
        ("empty object", "{}"), ("no method", '{"params": [], "id": 1}'),
        ("method null", '{"method": null, "params": [], "id": 1}'),
        ("method number", '{"method": 3, "params": [], "id": 1}'),
        ("method list", '{"method": ["a.b"], "params": [], "id": 1}'),
        ("no dot", '{"method": "ver", "params": [], "id": 1}'),
        ("two dots", '{"method": "execution_engine2.ver.x", "params": [], "id": 1}'),
        ("only a dot", '{"method": ".", "params": [], "id": 1}'),
        ("no id", '{"method": "execution_engine2.ver", "params": []}'),
        ("no params", '{"method": "execution_engine2.ver", "id": 1}'),
        ("null id", '{"method": "execution_engine2.ver", "params": [], "id": null}'),
        ("object id", '{"method": "execution_engine2.ver", "params": [], "id": {"a": [1]}}'),
        ("id float", '{"method": "execution_engine2.ver", "params": [], "id": 1.50}'),
        ("jsonrpc", '{"method": "execution_engine2.ver", "params": [], "id": "x", "jsonrpc": "2.0"}'),
        ("both versions", '{"jsonrpc": "2.0", "method": "execution_engine2.ver", "params": [], "id": "x", "version": "1.1"}'),
        ("other module", '{"method": "Workspace.get_objects2", "params": [{}], "id": 1}'),
        ("unknown method", '{"method": "execution_engine2.run_jobs", "params": [{}], "id": 1}'),
        ("case differs", '{"method": "execution_engine2.Run_job", "params": [{}], "id": 1}'),
        ("escaped method", '{"method": "execution_engine2.run\\u005fjob", "params": [{"method": "a.b"}], "id": 1}'),
        ("escaped key", '{"m\\u0065thod": "execution_engine2.run_job", "params": [{"method": "a.b"}], "id": 1}'),
        ("method overridden", '{"method": "execution_engine2.check_job", "params": [{"method": "m.f"}], "id": 1, "method": "execution_engine2.run_job"}'),
        ("method overridden by pass-through", '{"method": "execution_engine2.run_job", "params": [{"method": "m.f"}], "id": 1, "method": "execution_engine2.ver"}'),
        ("params overridden", '{"method": "execution_engine2.run_job", "params": [{"method": "a.b"}], "id": 1, "params": [{"method": "c.d", "as_admin": 1}]}'),
        ("nested method keys ignored", '{"x": {"method": "execution_engine2.run_job"}, "method": "execution_engine2.ver", "params": [], "id": 1}'),
        ("unicode everywhere", '{"method": "execution_engine2.run_job", "params": [{"method": "kb_\u00e9.f", "app_id": "\U0001F600"}], "id": "\u00e9"}'),
        ("whitespace everywhere", ' \r\n{ "method" :\t"execution_engine2.run_job" ,\n "params" : [ { "method" : "a.b" } ] , "id" : 1 }\n '),
]:
    case("envelope " + name, body)

# --- the id EE2 echoes: json.dumps of what json.loads made of it ---------------------------------
for id_json in ["1", "-0", "0.0", "-0.0", "1.50", "1E5", "1e16", "1e15", "1234567890123456.7", "1e-5", "0.0001",
                "0.1", "5e-324", "1.7976931348623157e308", "1e400", "-1e400", "NaN", "-Infinity", "2.5e-7",
                "123456789012345678901234567890", "3.14159265358979323846", "100", "1e22", "1e23", "9007199254740993.0",
                '"\\u00e9\\ud83d\\ude00\\u007f/\\/\\b\\f\\n\\r\\t\\u0001"', '"\u00e9\U0001F600\x7f"', '"\\ud800"',
                "true", "null", "[]", "{}", '[1, [2.0, {"a": null}], "x"]', '{"b": 1, "a": 2, "b": 3}', '{ "k" : [ ] }']:
    case(f"id {id_json}", '{"method": "execution_engine2.ver", "params": [], "id": %s}' % id_json)
    case(f"version {id_json}", '{"method": "a.b", "params": [], "id": 0, "version": %s}' % id_json)

frng = random.Random(7)
for n in range(60):
    x = struct.unpack("<d", frng.getrandbits(64).to_bytes(8, "little"))[0]
    if x != x or x in (float("inf"), float("-inf")):
        continue
    text = frng.choice(["%.17g", "%.3e", "%r", "%.1f"]) % x
    if "e" not in text and "." not in text:
        text += ".0"
    case(f"id float {text}", '{"method": "a.b", "params": [], "id": %s}' % text)

# --- what admission reads ------------------------------------------------------------------------
TRUTHY = ["true", "false", "null", "0", "-0", "0.0", "-0.0e5", "1e-400", "1", "0.5", "NaN", "Infinity",
          "-Infinity", '""', '"false"', '"0"', "[]", "[0]", "{}", '{"a": 0}', "123456789012345678901234567890"]
for v in TRUTHY:
    case(f"as_admin {v}", '{"method": "execution_engine2.run_job", "params": [{"method": "kb_Bowtie2.align", "as_admin": %s}], "id": 1}' % v)
    case(f"ignore_concurrency_limits {v}", '{"method": "execution_engine2.run_job", "params": [{"method": "a.b", "as_admin": 1, "job_requirements": {"ignore_concurrency_limits": %s}}], "id": 1}' % v)
    case(f"parent_job_id {v}", '{"method": "execution_engine2.run_job", "params": [{"method": "a.b", "parent_job_id": %s}], "id": 1}' % v)
    case(f"bill_to_user {v}", '{"method": "execution_engine2.run_job", "params": [{"method": "a.b", "job_requirements": {"bill_to_user": %s}}], "id": 1}' % v)
    case(f"batch as_admin {v}", '{"method": "execution_engine2.run_job_batch", "params": [[{"method": "a.b"}], {"wsid": 1, "as_admin": %s}], "id": 1}' % v)
for name, params in [
        ("run_job full", [{"method": "kb_Bowtie2.align_reads_to_assembly_app", "app_id": "kb_Bowtie2/align_reads_to_assembly_app",
                           "params": [{"x": [1, 2, {"y": None}]}], "service_ver": "dev", "source_ws_objects": ["1/2/3"],
                           "meta": {"run_id": "r", "token_id": "t", "tag": "release", "cell_id": "c"}, "wsid": 42,
                           "parent_job_id": "65a1b2c3d4e5f60718293a4b", "as_admin": False,
                           "job_requirements": {"request_cpus": 4, "client_group": "bigmem", "bill_to_user": "alice",
                                                "ignore_concurrency_limits": "false", "scheduler_requirements": {"a": "b"}}}]),
        ("run_job method not a string", [{"method": ["a.b"], "app_id": 7}]),
        ("run_job empty object", [{}]),
        ("run_job null", [None]),
        ("run_job string", ["a.b"]),
        ("run_job no args", []),
        ("run_job two args", [{"method": "a.b"}, {}]),
        ("run_job job_requirements null", [{"method": "a.b", "job_requirements": None}]),
        ("run_job job_requirements list", [{"method": "a.b", "job_requirements": [1]}]),
        ("run_job job_requirements empty", [{"method": "a.b", "job_requirements": {}}]),
        ("run_job_concierge", [{"method": "a.b"}, {"client_group": "x"}]),
        ("run_job_concierge empty concierge params", [{"method": "kb_Bowtie2.align"}, {}]),
        ("run_job_concierge null concierge params", [{"method": "kb_Bowtie2.align"}, None]),
        ("run_job_concierge no concierge params", [{"method": "kb_Bowtie2.align"}]),
        ("run_job_concierge zero concierge params", [{"method": "kb_Bowtie2.align"}, 0]),
        ("run_job method in whitespace", [{"method": " kb_Bowtie2.align\t\n"}]),
        ("run_job method in no-break spaces", [{"method": "\u00a0kb_Bowtie2.align\u2007\u0085"}]),
        ("run_job KBParallel child", [{"method": "kb_hisat2.run_hisat2", "params": [{}], "service_ver": "abc",
                                       "parent_job_id": None, "app_id": "kb_hisat2", "wsid": None,
                                       "remote_url": "https://kbase.us/services/ee2"}]),
        ("run_job remote_url null", [{"method": "a.b", "remote_url": None}]),
        ("run_job_batch", [[{"method": "kb_Bowtie2.align", "app_id": "kb_Bowtie2/align"}, {"method": "a.b", "as_admin": 1}], {"wsid": 42}]),
        ("run_job_batch empty", [[], {"wsid": 42}]),
        ("run_job_batch odd elements", [[{"method": "a.b"}, 5, None, "x", [1]], {"wsid": 42}]),
        ("run_job_batch no batch params", [[{"method": "a.b"}]]),
        ("run_job_batch not a list", [{"method": "a.b"}, {}]),
        ("retry_job", [{"job_id": "65a1b2c3d4e5f60718293a4b", "as_admin": 0}]),
        ("retry_job id not a string", [{"job_id": 5}]),
        ("retry_jobs", [{"job_ids": ["a", 1, "b", None], "as_admin": "yes"}]),
        ("retry_jobs ids not a list", [{"job_ids": "a"}]),
        ("retry_jobs null", [None]),
        ("start_job", [{"job_id": "j1", "skip_estimation": True}]),
        ("update_job_status", [{"job_id": "j1", "status": "running"}]),
        ("update_job_status status not a string", [{"job_id": "j1", "status": 3}]),
        ("finish_job with an error", [{"job_id": "j1", "error_message": "boom", "error_code": 1}]),
        ("finish_job with an empty error_message", [{"job_id": "j1", "error_message": "", "job_output": {}}]),
        ("finish_job error_message 0", [{"job_id": "j1", "error_message": 0, "job_output": {}}]),
        ("add_job_logs", [{"job_id": "j1"}, [{"line": "x", "is_error": 0}]]),
        ("add_job_logs old", ["j1", [{"line": "x"}]]),
        ("finish_job", [{"job_id": "j1", "error_message": "boom", "error_code": 1, "job_output": {"result": [1]}}]),
        ("cancel_job", [{"job_id": "j1", "terminated_code": 0}]),
        ("check_job", [{"job_id": "j1", "exclude_fields": ["job_input"]}]),
        ("check_jobs", [{"job_ids": ["j1", "j2", 3], "return_list": 0}]),
        ("check_job_batch", [{"job_id": "b1"}]),
        ("check_job_canceled", [{"job_id": "j1"}]),
        ("get_job_status", [{"job_id": "j1"}]),
        ("get_job_status old", ["j1"]),
        ("check_workspace_jobs", [{"workspace_id": 42}]),
        ("check_jobs_date_range_for_user", [{"start_time": 1, "end_time": 2, "user": "u"}]),
        ("get_job_logs", [{"job_id": "j1", "skip_lines": 10}]),
        ("get_job_params", [{"job_id": "j1"}]),
        ("check_job no args", []),
        ("check_job null", [None]),
        ("ver", []),
        ("status", [{}]),
        ("list_config", []),
]:
    case("params " + name, rpc(name.split(" ")[0], params))
case("params as object", '{"method": "execution_engine2.run_job", "params": {"params": {"method": "a.b"}}, "id": 1, "version": "1.1"}')
case("params null", '{"method": "execution_engine2.run_job", "params": null, "id": 1}')
case("job_id duplicated", '{"method": "execution_engine2.finish_job", "params": [{"job_id": "first", "job_id": "last"}], "id": 1}')
case("job requirements duplicated", '{"method": "execution_engine2.run_job", "params": [{"method": "a.b", "job_requirements": {"bill_to_user": "x"}, "job_requirements": {"ignore_concurrency_limits": 1}}], "id": 1}')
case("escaped run_job param keys", '{"method": "execution_engine2.run_job", "params": [{"m\\u0065thod": "a.b", "as_\\u0061dmin": 1}], "id": 1}')
case("strings with escapes", '{"method": "execution_engine2.run_job", "params": [{"method": "a\\\\.b\\n\\u00e9\\ud83d\\ude00", "app_id": "x\\/y", "parent_job_id": "\\ud800"}], "id": "\\"q\\""}')

# --- random calls: random values (any JSON type) for every field admission reads, duplicate keys,
#     random whitespace and encodings; json.loads decides what each means --------------------------
crng = random.Random(42)
VALUES = ['null', 'true', 'false', '0', '1', '-0.0', '1e-400', 'NaN', '""', '"x"', '"false"', '[]', '[0]', '{}',
          '{"a": 1}', '"65a1b2c3d4e5f60718293a4b"', '"kb_Bowtie2.align"', '"kb_Bowtie2/align"', '["j1", 2, "j3"]']


def random_ws():
    return crng.choice(["", "", "", " ", "\n", "\t ", "\r\n"])


def random_object(members):
    """Renders members (key, raw value), adding an earlier decoy for some keys."""
    out = []
    for key, value in members:
        if crng.random() < 0.2:
            out.append((key, crng.choice(VALUES)))
        out.append((key, value))
    crng.shuffle(out) if crng.random() < 0.3 else None
    return "{" + random_ws() + ("," + random_ws()).join(json.dumps(k) + random_ws() + ":" + random_ws() + v for k, v in out) + random_ws() + "}"


def random_value():
    return crng.choice(VALUES)


def random_run_job_params():
    members = [(k, random_value()) for k in ("method", "app_id", "parent_job_id", "as_admin") if crng.random() < 0.8]
    if crng.random() < 0.6:
        members.append(("job_requirements", random_object([("ignore_concurrency_limits", random_value()), ("bill_to_user", random_value())])
                        if crng.random() < 0.8 else random_value()))
    members.append(("wsid", "42"))
    return random_object(members)


for n in range(150):
    method = crng.choice(["run_job", "run_job_concierge", "run_job_batch", "retry_job", "retry_jobs", "check_jobs",
                          "update_job_status", "finish_job", "get_job_status"])
    if method in ("run_job", "run_job_concierge"):
        params = "[" + random_run_job_params() + "]"
    elif method == "run_job_batch":
        params = "[[" + ", ".join(random_run_job_params() for _ in range(crng.randrange(4))) + "], " + random_object([("as_admin", random_value())]) + "]"
    else:
        params = "[" + random_object([("job_id", random_value()), ("job_ids", random_value()), ("status", random_value()), ("as_admin", random_value())]) + "]"
    if crng.random() < 0.1:
        params = random_value()
    body = random_ws() + random_object([("method", json.dumps(MODULE + method)), ("params", params), ("version", '"1.1"'),
                       ("id", random_value())]) + random_ws()
    codec = crng.choice(["utf-8", "utf-8", "utf-8", "utf-8-sig", "utf-16-le", "utf-32-be"])
    case(f"random call {n} {method} {codec}", body.encode(codec, "surrogatepass"))

# --- mutations of valid calls: random single-byte edits, Python's verdict whatever they break ------
rng = random.Random(20261121)
SEEDS = [SAMPLE, rpc("run_job", [{"method": "kb_Bowtie2.align", "app_id": "kb_Bowtie2/align", "params": [{"a": [1.5e3, -0, None, True]}],
                                  "as_admin": 1, "job_requirements": {"bill_to_user": "bob"}}]),
         rpc("run_job_batch", [[{"method": "a.b"}, {"method": "c.d", "parent_job_id": "p"}], {"as_admin": False}]),
         '{"method": "execution_engine2.update_job_status", "params": [{"job_id": "j\\u00e9", "status": "completed"}], "version": "1.1", "id": 12}']
ALPHABET = b' \t\n\r"\\{}[],:-+.0123456789eEnulltrufasNIy/\x00\x01\x1f\x7f\xc3\xa9\xed\xa0\x80\xff'
for n in range(400):
    seed = bytearray(rng.choice(SEEDS).encode())
    for _ in range(rng.choice([1, 1, 1, 2, 3])):
        at = rng.randrange(len(seed) + 1)
        op = rng.randrange(3)
        if op == 0 and at < len(seed):
            del seed[at]
        elif op == 1:
            seed[at:at] = bytes([rng.choice(ALPHABET)])
        elif at < len(seed):
            seed[at] = rng.choice(ALPHABET)
    case(f"mutation {n}", bytes(seed))

with open("vectors.jsonl", "w") as out:
    seen = set()
    for name, body in CASES:
        if body in seen:
            continue
        seen.add(body)
        line = {"name": name, "hex": body.hex()}
        line.update(verdict(body))
        out.write(json.dumps(line) + "\n")
print(len(seen), "vectors")
