#!/usr/bin/env python3
"""An EE2 oracle for the proxy's tests: what Execution Engine 2 would do with a request.

Standard library only (Python 3.7+). It decides as EE2's server code does, written from
kbase/execution_engine2 (execution_engine2Server.py, jsonrpcbase, execution_engine2Impl.py,
sdk/SDKMethodRunner.py, sdk/EE2Runjob.py, sdk/EE2Status.py, db/MongoUtil.py,
utils/application_info.py, sdk/job_submission_parameters.py) and /work/shared/EE2-PROTOCOL.md:

* the body is parsed with json.loads on its raw bytes (encoding detection, a UTF-8 BOM, NaN,
  the last of duplicate keys); a ValueError is the -32700 parse error;
* ``req['method'].split('.')`` into exactly two names, ``req['id']`` and ``req['params']`` are
  read outside EE2's error handling: anything odd there crashes the WSGI app (gunicorn's HTML 500);
* the token (``Authorization``) is checked before the method is looked up;
* jsonrpcbase: jsonrpc must be "2.0" when present, an id must be a str, number, bool or null,
  params a list, an object or null; positional types are checked for all but the last argument;
  a call whose id is null RUNS and is answered with an empty 200 body;
* run_job / run_job_batch / run_job_concierge / retry_job(s): EE2Runjob's checks (admin, concierge
  only ``if concierge_params:``, job_requirements only for full admins, AppInfo's check_string
  stripping of ``method`` and ``app_id``, batch children may not name a parent) and the order in
  which a job record is saved, submitted to HTCondor, or left behind when a later step fails;
* cancel_job / finish_job / update_job_status / start_job act on ``job_id`` only, of the caller's
  own job (or any job with as_admin and EE2_ADMIN); cancelling a finished job does nothing and
  answers 200; finish_job of a finished job is an error;
* check_job(s), check_job_batch, check_job_canceled, get_job_status report EE2's states.

Not modelled: workspaces (every workspace id >= 1 is writable by everyone, nobody shares a job
through a workspace), the catalog (every module and version exists), HTCondor's own limits (every
submission is queued at once). A job holds an HTCondor slot ("in_condor") from its submission until
EE2 records a terminal state for it (cancel_job removes it from HTCondor; finish_job and a terminal
update_job_status end it through its runner, which stops when check_job_canceled says finished).

It also serves auth2 (GET /api/V2/token, GET /api/V2/me, POST /api/legacy/KBase/Sessions/Login)
from a token file, and, for the tests:
* GET /oracle/record?since=N: every request it handled and every job it created or ended, in order,
  from entry N on (entries before N are dropped: the record is read once, in order);
* POST /oracle/control {"fail_next": {"rpc": "execution_engine2.check_job", "count": 1}}: the next
  matching calls are answered HTTP 503 without being run (EE2 overloaded); {"clear": true} drops
  what is still pending.

Token file (JSON): {"tokens": {"<token>": {"user": "alice", "roles": ["EE2_ADMIN"], "v2status": 404}}}
``v2status`` makes auth2's V2 endpoints answer that status for the token (the proxy's view), while
EE2's own token check (the legacy endpoint) still knows the user.

Usage: python3 ee2_oracle.py --tokens FILE [--port 0] ; prints "ee2-oracle listening on URL".
"""

import argparse
import json
import re
import sys
import threading
import time
import unicodedata
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PREFIX = "execution_engine2."
CONCIERGE = "kbaseconcierge"
ADMIN_WRITE = "EE2_ADMIN"
ADMIN_READ = "EE2_ADMIN_RO"
STATUSES = ("created", "estimating", "queued", "running", "completed", "error", "terminated")
TERMINAL = ("completed", "error", "terminated")
OBJECT_ID = re.compile(r"[0-9a-fA-F]{24}\Z")
CRASH_PAGE = ("<html>\n  <head>\n    <title>Internal Server Error</title>\n  </head>\n  <body>\n"
              "    <h1><p>Internal Server Error</p></h1>\n    \n  </body>\n</html>\n")


# ----------------------------------------------------------------------------------------------
# Errors, as EE2's methods raise them and jsonrpcbase reports them

class RpcError(Exception):
    """A JSON-RPC error: code, name, message (jsonrpcbase's JSONRPCError)."""

    def __init__(self, code, name, message, trace=None):
        super().__init__(message)
        self.code = code
        self.name = name
        self.message = message
        self.trace = trace


def server_error(message):
    return RpcError(-32000, "Server error", message)


class MethodFailed(Exception):
    """Any exception inside an EE2 method: jsonrpcbase turns it into -32000 with repr(args[0])."""


class Crash(Exception):
    """An exception EE2's WSGI handler does not catch: gunicorn answers its HTML 500."""


def fail(message):
    raise MethodFailed(message)


# ----------------------------------------------------------------------------------------------
# Argument checks, as EE2's utils do them

def check_string(value, name, optional=False):
    """kbase's check_string: None, falsy or whitespace-only is missing; strips; no control chars."""
    if not value or not value.strip():  # a truthy non-string has no strip(): AttributeError
        if optional:
            return None
        fail(f"Missing input parameter: {name}")
    value = value.strip()
    for c in value:
        if unicodedata.category(c)[0] == "C":
            fail(f"{name} contains control characters")
    return value


def two_parts(s, sep, name, err1, err2, desired=None):
    parts = s.split(sep)
    if len(parts) != 2:
        fail(f"Expected exactly one '{desired or sep}' in {name} '{s}'")
    return check_string(parts[0], err1), check_string(parts[1], err2)


def app_info(method, app_id):
    """AppInfo(method, app_id, strict=True): what EE2 will run, stripped."""
    try:
        module, function = two_parts(check_string(method, "method ID"), ".", "method ID",
                                     "module portion of method ID", "method portion of method ID")
        app_id = check_string(app_id, "application ID", optional=True)
    except AttributeError as e:
        fail(str(e))
    app_module = app_name = sep = None
    if app_id:
        e1, e2 = "module portion of application ID", "application portion of application ID"
        if "/" in app_id and "." in app_id:
            fail(f"Application ID '{app_id}' has both '/' and '.' separators")
        if "/" in app_id:
            app_module, app_name = two_parts(app_id, "/", "application ID", e1, e2)
            sep = "/"
        elif "." in app_id:
            app_module, app_name = two_parts(app_id, ".", "application ID", e1, e2, "/")
            sep = "."
        else:
            app_module = app_id
    if app_module and app_module != module:
        fail(f"Application module '{app_module}' must equal method module '{module}'")
    return {"module": module, "function": function, "app_module": app_module, "app_name": app_name,
            "app_sep": sep}


def gt_zero(num, name, optional=False):
    if num is None and optional:
        return None
    try:
        if num is None or num < 1:
            fail(f"{name} must be at least 1")
    except TypeError as e:
        fail(str(e))
    return num


def is_upa(ref):
    if not isinstance(ref, str) or not ref.strip():
        return False
    parts = [p.strip() for p in ref.split("/")]
    if len(parts) != 3:
        return False
    try:
        for p in parts:
            int(p)
    except ValueError:
        return False
    return True


def parse_bool(value, name):
    if value is None:
        return None
    if isinstance(value, (bool, int, float)):
        return bool(value)
    if isinstance(value, str):
        try:
            return bool(float(value))
        except ValueError:
            pass
        if value.lower() in ("true", "false"):
            return value.lower() == "true"
    fail(f"{name} is not a boolean value")


def positive_int(value, name):
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        fail(f"{name} must be an integer")
    try:
        n = int(value.strip()) if isinstance(value, str) else value
    except ValueError:
        fail(f"{name} must be an integer")
    if n < 1:
        fail(f"{name} must be at least 1")
    return n


def int_field(value, name, allowed):
    """A mongoengine IntField with EE2's enum validation: saving anything else fails."""
    if value is None:
        return None
    try:
        if isinstance(value, str) or value not in allowed:
            fail(f"{value} is not a valid {name}")
    except TypeError:
        fail(f"{value} is not a valid {name}")
    return int(value)


# ----------------------------------------------------------------------------------------------
# The oracle's EE2: jobs in memory, and the record the tests read

class Caller:
    def __init__(self, user=None, token=None, roles=()):
        self.user = user
        self.token = token
        self.roles = set(roles)


class Ee2:
    def __init__(self, tokens):
        self.tokens = tokens
        self.jobs = {}
        self.next_id = 0
        self.clock = 0
        self.record = []
        self.record_base = 0  # entries before this were read (and dropped)
        self.fail_next = []  # [{"rpc": name, "count": n}]
        self.call = None  # the record entry of the request being handled

    # -- the record

    def note(self, entry):
        entry["seq"] = self.record_base + len(self.record)
        self.record.append(entry)
        return entry

    def read_record(self, since):
        """The entries from ``since`` on; those before it are dropped (read once, in order)."""
        if since > self.record_base:
            del self.record[:since - self.record_base]
            self.record_base = since
        events = self.record[max(0, since - self.record_base):]
        return events, self.record_base + len(self.record)

    def now(self):
        # Milliseconds, strictly increasing, so created/finished order is unambiguous.
        self.clock = max(self.clock + 1, int(time.time() * 1000))
        return self.clock

    # -- jobs

    def new_id(self):
        self.next_id += 1
        return "%024x" % (0x65F0A0000000000000000000 + self.next_id)

    def get_job(self, job_id):
        if not isinstance(job_id, str):
            fail(f"Please provide a valid job id, not {job_id!r}")
        if not OBJECT_ID.match(job_id):
            fail(f"'{job_id}' is not a valid ObjectId, it must be a 12-byte input or a 24-character hex string")
        job = self.jobs.get(job_id.lower())
        if job is None:
            fail(f"Cannot find job with ids: ['{job_id}']")
        return job

    def check_admin(self, caller, write):
        if ADMIN_WRITE in caller.roles or (not write and ADMIN_READ in caller.roles):
            return
        fail("You are not authorized to perform this action as an admin" if write
             else "You are not an administrator")

    def job_with_permission(self, caller, job_id, write, as_admin):
        if as_admin:
            self.check_admin(caller, write)
            return self.get_job(job_id)
        job = self.get_job(job_id)
        if job["user"] != caller.user:
            fail(f"User {caller.user} does not have permission to {'write' if write else 'read'} job {job_id}")
        return job

    def end(self, job, status, via, caller):
        """EE2 records a terminal status: the job leaves HTCondor (or its runner stops)."""
        job["status"] = status
        job["finished"] = self.now()
        job["updated"] = job["finished"]
        was_running = job["in_condor"]
        job["in_condor"] = False
        if was_running:
            self.note({"event": "end", "job_id": job["job_id"], "status": status, "via": via,
                       "by": caller.user})
            self.call["ended"].append(job["job_id"])

    # -- run_job and friends (EE2Runjob)

    def check_ws_write(self, wsid):
        if wsid:
            # The workspace service answers an error for anything but an existing workspace id.
            if type(wsid) is not int or wsid < 1:
                fail(f"Error checking workspace permissions for {wsid!r}")

    def job_requirements(self, job, is_write_admin, prefix=""):
        reqs = job.get("job_requirements") or {}
        if not isinstance(reqs, dict):
            fail(f"{prefix}job_requirements must be a mapping")
        cpus = positive_int(reqs.get("request_cpus"), prefix + "CPU count")
        memory = positive_int(reqs.get("request_memory"), prefix + "memory in MB")
        disk = positive_int(reqs.get("request_disk"), prefix + "disk space in GB")
        try:
            group = check_string(reqs.get("client_group"), "client_group", optional=True)
        except AttributeError as e:
            fail(prefix + str(e))
        regex = parse_bool(reqs.get("client_group_regex"), "client_group_regex")
        debug = parse_bool(reqs.get("debug_mode"), "debug_mode")
        bill = reqs.get("bill_to_user")
        if not bill:
            bill = None
        elif type(bill) is not str:
            fail(f"{prefix}bill_to_user must be a string")
        ignore = bool(reqs.get("ignore_concurrency_limits"))
        sched = reqs.get("scheduler_requirements")
        if sched:
            if not isinstance(sched, dict):
                fail(f"{prefix}scheduler_requirements must be a mapping")
            for k, v in sched.items():
                try:
                    check_string(k, "key in scheduler requirements structure")
                    check_string(v, f"value for key '{k}' in scheduler requirements structure")
                except AttributeError as e:
                    fail(prefix + str(e))
        special = (any(v is not None for v in (cpus, memory, disk, group, regex)) or bill or ignore
                   or sched or debug)
        if special and not is_write_admin:
            raise MethodFailed(f"{prefix}In order to specify job requirements you must be a full admin")
        return {"bill_to_user": check_string(bill, "bill_to_user", optional=True),
                "ignore_concurrency_limits": ignore, "cpu": cpus or 1, "memory": memory or 2000,
                "disk": disk or 100, "clientgroup": group or "njs"}

    def concierge_requirements(self, cp):
        if not isinstance(cp, dict):
            fail("concierge parameters must be a mapping")
        positive_int(cp.get("request_cpu"), "CPU count")
        positive_int(cp.get("request_memory"), "memory in MB")
        positive_int(cp.get("request_disk"), "disk space in GB")
        rl = cp.get("requirements_list")
        if rl:
            if type(rl) is not list:
                fail("requirements_list must be a list")
            for s in rl:
                if type(s) is not str or "=" not in s or len(s.split("=")) != 2:
                    fail(f"Found illegal requirement in requirements_list: {s}")
        try:
            bill = check_string(cp.get("account_group"), "bill_to_user", optional=True)
            group = check_string(cp.get("client_group"), "client_group", optional=True)
        except AttributeError as e:
            fail(str(e))
        return {"bill_to_user": bill, "ignore_concurrency_limits": bool(cp.get("ignore_concurrency_limits", 1)),
                "cpu": 4, "memory": 23000, "disk": 100, "clientgroup": group or "concierge"}

    def check_job_arguments(self, jobs, has_parent_job=False):
        infos = []
        for i, job in enumerate(jobs):
            pre = f"Job #{i + 1}: " if len(jobs) > 1 else ""
            try:
                info = app_info(job.get("method"), job.get("app_id"))
                gt_zero(job.get("wsid"), "wsid", optional=True)
                refs = job.get("source_ws_objects") or []
                for n, ref in enumerate(refs):
                    if not is_upa(ref):
                        fail(f"source_ws_objects index {n}, '{ref}', is not a valid Unique Permanent Address")
            except MethodFailed as e:
                raise MethodFailed(pre + str(e))
            if has_parent_job and job.get("parent_job_id"):
                fail(f"{pre}batch jobs may not specify a parent job ID")
            infos.append(info)
        return infos

    def run(self, caller, params, as_admin, concierge_params=None, via="run_job", retry_of=None):
        """EE2RunJob.run: the checks, then _run. Returns the job id."""
        if as_admin:
            self.check_admin(caller, write=True)
        else:
            self.check_ws_write(params.get("wsid"))
        if concierge_params:
            if caller.user != CONCIERGE:
                raise MethodFailed("You are not the concierge user. This method is not for you")
            reqs = self.concierge_requirements(concierge_params)
        else:
            reqs = self.job_requirements(params, bool(as_admin))
        info = self.check_job_arguments([params])[0]
        return self.submit(caller, params, reqs, info, via=via, retry_of=retry_of)

    def submit(self, caller, params, reqs, info, via, batch_id=None, retry_of=None, parent_as_sent=None):
        """EE2RunJob._run: save the record (_init_job_rec), then submit it to HTCondor."""
        if "method" not in params:
            fail("method is required for job initialization")
        service_ver = params.get("service_ver")
        if service_ver and not isinstance(service_ver, str):
            fail(f"Catalog error: no version {service_ver!r} of module")
        meta = params.get("meta")
        cell = {}
        if meta:
            if not isinstance(meta, dict):
                fail(f"'{type(meta).__name__}' object has no attribute 'get'")
            for attr in ("run_id", "token_id", "tag", "cell_id"):
                v = meta.get(attr)
                if v is not None and not isinstance(v, str):
                    fail(f"ValidationError (JobInput:None) ({attr}: StringField only accepts string values)")
                cell[attr] = v
        # mongoengine validates the record on save: these fields are typed.
        app_id = params.get("app_id")
        if app_id is not None and not isinstance(app_id, str):
            fail("ValidationError (JobInput:None) (app_id: StringField only accepts string values)")
        refs = params.get("source_ws_objects")
        if refs is not None and not isinstance(refs, list):
            fail("ValidationError (JobInput:None) (source_ws_objects: Only lists and tuples may be used in a list field)")
        wsid = params.get("wsid")
        if wsid is not None:
            try:
                int(wsid)
            except (TypeError, ValueError, OverflowError):
                fail(f"ValidationError (Job:None) (wsid: {wsid!r} could not be converted to int)")
        parent = params.get("parent_job_id")
        stored_parent = str(parent) if parent else None
        owner = caller.user
        ledger_user = reqs["bill_to_user"] or owner
        job_id = self.new_id()
        now = self.now()
        job = {
            "job_id": job_id, "user": owner, "authstrat": "kbaseworkspace", "wsid": wsid,
            "status": "created", "updated": now, "created": now, "batch_job": False,
            "batch_id": batch_id, "child_jobs": [], "retry_ids": [], "retry_count": 0,
            "retry_parent": retry_of, "scheduler_type": None, "scheduler_id": None,
            "job_input": {"wsid": wsid, "method": params["method"], "params": params.get("params"),
                          "service_ver": "0123456789abcdef0123456789abcdef01234567",
                          "app_id": app_id, "source_ws_objects": refs, "narrative_cell_info": cell,
                          "requirements": {"clientgroup": reqs["clientgroup"], "cpu": reqs["cpu"],
                                           "memory": reqs["memory"], "disk": reqs["disk"]}},
            "in_condor": False,
        }
        if stored_parent is not None:
            job["job_input"]["parent_job_id"] = stored_parent
        self.jobs[job_id] = job
        created = {"event": "create", "job_id": job_id, "via": via, "owner": owner,
                   "ledger_user": ledger_user, "exempt": reqs["ignore_concurrency_limits"],
                   "method": params["method"], "app_id": app_id, "parent_job_id": stored_parent,
                   "parent_job_id_sent": parent if batch_id is None else parent_as_sent,
                   "batch_id": batch_id, "retry_of": retry_of, "batch_container": False,
                   "in_condor": False}
        created.update(info)
        self.note(created)
        self.call["created"].append(job_id)
        # JobSubmissionParameters after the record was saved: a bad parent_job_id leaves the
        # record behind in "created", never submitted.
        try:
            check_string(parent, "parent_job_id", optional=True)
        except AttributeError as e:
            fail(str(e))
        job["status"] = "queued"
        job["queued"] = self.now()
        job["scheduler_type"] = "condor"
        job["scheduler_id"] = str(10000 + self.next_id)
        job["in_condor"] = True
        created["in_condor"] = True
        return job_id

    def run_batch(self, caller, params, batch_params, as_admin):
        if type(params) is not list:
            fail("params must be a list")
        if not params:
            fail("params must be a non-empty list of job parameters")
        wsid = batch_params.get("wsid")
        meta = batch_params.get("meta")
        if as_admin:
            self.check_admin(caller, write=True)
        else:
            self.check_ws_write(wsid)
            for job in params:
                self.check_ws_write(job.get("wsid", wsid))
        reqs = []
        for i, job in enumerate(params):
            reqs.append(self.job_requirements(job, bool(as_admin), f"Job #{i + 1}: " if len(params) > 1 else ""))
        infos = self.check_job_arguments(params, has_parent_job=True)
        if meta and not isinstance(meta, dict):
            fail(f"'{type(meta).__name__}' object has no attribute 'get'")
        now = self.now()
        batch_id = self.new_id()
        self.jobs[batch_id] = {
            "job_id": batch_id, "user": caller.user, "authstrat": "kbaseworkspace", "wsid": wsid,
            "status": "created", "updated": now, "created": now, "batch_job": True, "child_jobs": [],
            "retry_ids": [], "retry_count": 0,
            "job_input": {"wsid": wsid, "method": "batch", "service_ver": "batch", "app_id": "batch",
                          "narrative_cell_info": {}},
            "in_condor": False,
        }
        self.note({"event": "create", "job_id": batch_id, "via": "run_job_batch", "owner": caller.user,
                   "ledger_user": caller.user, "exempt": True, "method": "batch", "app_id": "batch",
                   "parent_job_id": None, "batch_id": None, "retry_of": None, "batch_container": True,
                   "in_condor": False, "module": None, "function": None, "app_module": None,
                   "app_name": None, "app_sep": None})
        self.call["created"].append(batch_id)
        children = []
        for job, req, info in zip(params, reqs, infos):
            sent = job.get("parent_job_id")
            job["parent_job_id"] = batch_id
            try:
                children.append(self.submit(caller, job, req, info, via="run_job_batch", batch_id=batch_id,
                                            parent_as_sent=sent))
            except MethodFailed:
                for child in children:  # _abort_child_jobs
                    self.cancel(caller, child, 3, False, via="run_job_batch abort")
                raise
        self.jobs[batch_id]["child_jobs"] = children
        return {"batch_id": batch_id, "child_job_ids": children}

    def retry(self, caller, job_id, as_admin):
        """EE2RunJob.retry: the job must be the caller's (or as_admin) and ended in error/terminated."""
        job = self.job_with_permission(caller, job_id, True, as_admin)
        parent_id = job["job_input"].get("parent_job_id")
        if parent_id:
            self.job_with_permission(caller, parent_id, True, as_admin)
        if job["batch_job"]:
            fail("Cannot retry batch job parents. Must retry individual jobs")
        if job["status"] not in ("terminated", "error"):
            fail(f"Can only retry a cancelled or errored job_id:{job_id} status:{job['status']}")
        return job

    def do_retry(self, caller, job, as_admin):
        if job.get("retry_parent"):
            root = self.retry(caller, job["retry_parent"], as_admin)
            return self.do_retry(caller, root, as_admin)
        ji = job["job_input"]
        params = {"wsid": job["wsid"], "meta": ji.get("narrative_cell_info") or None,
                  "params": ji.get("params") or {}, "method": ji["method"], "app_id": ji.get("app_id"),
                  "source_ws_objects": list(ji.get("source_ws_objects") or []),
                  "service_ver": ji.get("service_ver"), "parent_job_id": ji.get("parent_job_id")}
        new_id = self.run(caller, params, as_admin, via="retry", retry_of=job["job_id"])
        job["retry_count"] += 1
        job["retry_ids"].append(new_id)
        return {"job_id": job["job_id"], "retry_id": new_id}

    # -- lifecycle (EE2Status)

    def cancel(self, caller, job_id, terminated_code, as_admin, via="cancel_job"):
        job = self.job_with_permission(caller, job_id, True, as_admin)
        if terminated_code is None:
            terminated_code = 0
        if job["status"] in TERMINAL:
            return  # MongoUtil.cancel_job: already finished, nothing to do; EE2 answers 200
        job["terminated_code"] = int_field(terminated_code, "TerminatedCode", (0, 1, 2, 3, 4))
        self.end(job, "terminated", via, caller)

    def finish(self, caller, p, as_admin):
        job = self.job_with_permission(caller, p.get("job_id"), True, as_admin)
        if job["status"] in TERMINAL:
            fail(f"Cannot finish job with a status of {job['status']}")
        error_message, error_code, job_output = p.get("error_message"), p.get("error_code"), p.get("job_output")
        if error_message:
            job["error_code"] = int_field(1 if error_code is None else error_code, "ErrorCode", range(0, 7))
            job["errormsg"] = error_message
            self.end(job, "error", "finish_job", caller)
        elif job_output is None:
            job["error_code"] = int_field(4 if error_code is None else error_code, "ErrorCode", range(0, 7))
            job["errormsg"] = "Missing job output required in order to successfully finish job. Something went wrong"
            self.end(job, "error", "finish_job", caller)
        else:
            if not isinstance(job_output, dict):
                fail(f"'{type(job_output).__name__}' object has no attribute 'get'")
            oid = job_output.get("id")
            if oid is not None and not (isinstance(oid, str) and OBJECT_ID.match(oid)):
                fail(f"'{oid}' is not a valid ObjectId, it must be a 12-byte input or a 24-character hex string")
            if not isinstance(job_output.get("version"), str) or job_output.get("result") is None:
                # output.validate() failed: EE2 finishes the job with an error, then raises.
                job["errormsg"] = "Something was wrong with the output object"
                job["error_code"] = 4
                self.end(job, "error", "finish_job", caller)
                fail("ValidationError (JobOutput) Something was wrong with the output object")
            job["job_output"] = job_output
            self.end(job, "completed", "finish_job", caller)

    # -- states

    def state(self, job, exclude=()):
        s = {k: v for k, v in job.items() if k != "in_condor" and v is not None}
        s["job_input"] = dict(job["job_input"])
        for field in exclude or ():
            if isinstance(field, str):
                s.pop(field, None)
        return s

    def readable(self, caller, job, as_admin_strict):
        if as_admin_strict:
            return True
        return job["user"] == caller.user

    # -- the methods, by name: (arity, positional types for all but the last, function)

    def methods(self):
        d = dict
        return {
            "run_job": (1, [d], self.m_run_job),
            "run_job_batch": (2, [list, d], self.m_run_job_batch),
            "run_job_concierge": (2, [d, d], self.m_run_job_concierge),
            "retry_job": (1, [d], self.m_retry_job),
            "retry_jobs": (1, [d], self.m_retry_jobs),
            "abandon_children": (1, [d], self.m_abandon_children),
            "check_job": (1, [d], self.m_check_job),
            "check_job_batch": (1, [d], self.m_check_job_batch),
            "check_jobs": (1, [d], self.m_check_jobs),
            "check_workspace_jobs": (1, [d], self.m_check_workspace_jobs),
            "check_job_canceled": (1, [d], self.m_check_job_canceled),
            "get_job_status": (1, [str], self.m_get_job_status),
            "check_jobs_date_range_for_user": (1, [d], self.m_date_range_user),
            "check_jobs_date_range_for_all": (1, [d], self.m_date_range_all),
            "get_job_logs": (1, [d], self.m_get_job_logs),
            "get_job_params": (1, [str], self.m_get_job_params),
            "start_job": (1, [d], self.m_start_job),
            "update_job_status": (1, [d], self.m_update_job_status),
            "add_job_logs": (2, [d, list], self.m_add_job_logs),
            "finish_job": (1, [d], self.m_finish_job),
            "cancel_job": (1, [d], self.m_cancel_job),
            "handle_held_job": (1, [str], self.m_handle_held_job),
            "is_admin": (0, [], self.m_is_admin),
            "get_admin_permission": (0, [], self.m_get_admin_permission),
            "ver": (0, [], lambda c: ["0.0.13"]),
            "status": (0, [], lambda c: [{"server_time": time.time(), "git_commit": "oracle",
                                          "version": "0.0.13", "service": "KBase Execution Engine"}]),
            "list_config": (0, [], lambda c: [{"external-url": "http://ee2-oracle/"}]),
            "get_client_groups": (0, [], lambda c: [["njs", "bigmem", "bigmemlong", "kb_upload", "hpc"]]),
        }

    AUTH_NONE = ("ver", "status", "get_client_groups")
    AUTH_OPTIONAL = ("list_config",)

    def m_run_job(self, c, params):
        return [self.run(c, params, as_admin=bool(params.get("as_admin")))]

    def m_run_job_batch(self, c, params, batch_params):
        return [self.run_batch(c, params, batch_params, as_admin=bool(batch_params.get("as_admin")))]

    def m_run_job_concierge(self, c, params, concierge_params):
        return [self.run(c, params, as_admin=False, concierge_params=concierge_params, via="run_job_concierge")]

    def m_retry_job(self, c, params):
        as_admin = params.get("as_admin")
        job = self.retry(c, params.get("job_id"), as_admin)
        return [self.do_retry(c, job, as_admin)]

    def m_retry_jobs(self, c, params):
        job_ids, as_admin = params.get("job_ids"), params.get("as_admin")
        if not job_ids:
            fail("No job_ids provided to retry")
        jobs = []
        for job_id in job_ids:
            try:
                jobs.append(self.retry(c, job_id, as_admin))
            except MethodFailed as e:
                fail(f"RetryFailureException: {e}")
        out = []
        for job_id, job in zip(job_ids, jobs):
            try:
                out.append(self.do_retry(c, job, as_admin))
            except MethodFailed as e:
                out.append({"job_id": job_id, "error": str(e)})
        return [out]

    def m_abandon_children(self, c, params):
        batch = self.job_with_permission(c, params["batch_id"], True, params.get("as_admin"))
        drop = params["child_job_ids"]
        batch["child_jobs"] = [j for j in batch["child_jobs"] if j not in drop]
        return [{"batch_id": batch["job_id"], "child_job_ids": batch["child_jobs"]}]

    def m_check_job(self, c, params):
        as_admin = params.get("as_admin") is True
        if as_admin:
            self.check_admin(c, write=False)
        job_id = params.get("job_id")
        if not job_id:
            fail("Please provide valid job_id")
        job = self.get_job(job_id)
        if not self.readable(c, job, as_admin):
            fail(f"No read permissions for {job['job_id']}")
        return [self.state(job, params.get("exclude_fields"))]

    def m_check_jobs(self, c, params):
        as_admin = bool(params.get("as_admin"))
        if as_admin:
            self.check_admin(c, write=False)
        jobs = [self.get_job(j) for j in params.get("job_ids")]
        exclude = params.get("exclude_fields")
        states = {}
        for job in jobs:
            states[job["job_id"]] = (self.state(job, exclude) if self.readable(c, job, as_admin)
                                     else {"error": f"No read permissions for {job['job_id']}"})
        if params.get("return_list", 1):
            return [{"job_states": list(states.values())}]
        return [states]

    def m_check_job_batch(self, c, params):
        as_admin = params.get("as_admin") is True
        if as_admin:
            self.check_admin(c, write=False)
        batch = self.get_job(params.get("batch_id"))
        if not self.readable(c, batch, as_admin):
            fail(f"No read permissions for {batch['job_id']}")
        exclude = params.get("exclude_fields")
        children = [self.state(self.jobs[j], exclude) for j in batch["child_jobs"]]
        return [{"batch_jobstate": self.state(batch, exclude), "child_jobstates": children}]

    def m_check_workspace_jobs(self, c, params):
        wsid = params.get("workspace_id")
        jobs = [j for j in self.jobs.values() if j.get("wsid") == wsid and wsid is not None]
        states = [self.state(j, params.get("exclude_fields")) for j in jobs]
        if params.get("return_list", 1):
            return [{"job_states": states}]
        return [{s["job_id"]: s for s in states}]

    def m_check_job_canceled(self, c, params):
        job_id = params.get("job_id")
        job = self.job_with_permission(c, job_id, False, params.get("as_admin"))
        return [{"job_id": job_id, "canceled": job["status"] == "terminated",
                 "finished": job["status"] in TERMINAL}]

    def m_get_job_status(self, c, job_id):
        if not job_id:
            fail("Please provide valid job_id")
        job = self.job_with_permission(c, job_id, False, False)
        return [{"status": job["status"]}]

    def m_date_range_user(self, c, params):
        jobs = [self.state(j) for j in self.jobs.values() if j["user"] == c.user]
        return [{"jobs": jobs, "count": len(jobs), "query_count": len(jobs)}]

    def m_date_range_all(self, c, params):
        self.check_admin(c, write=False)
        jobs = [self.state(j) for j in self.jobs.values()]
        return [{"jobs": jobs, "count": len(jobs), "query_count": len(jobs)}]

    def m_get_job_logs(self, c, params):
        self.job_with_permission(c, params.get("job_id"), False, params.get("as_admin"))
        return [{"lines": [], "last_line_number": 0, "count": 0}]

    def m_get_job_params(self, c, job_id):
        job = self.job_with_permission(c, job_id, False, False)
        ji = job["job_input"]
        return [{k: ji.get(k) for k in ("method", "params", "service_ver", "app_id", "wsid",
                                        "parent_job_id", "source_ws_objects")}]

    def m_start_job(self, c, params):
        job = self.job_with_permission(c, params.get("job_id"), True, params.get("as_admin"))
        if job["status"] not in ("created", "queued", "estimating"):
            fail(f"Unexpected job status: {job['status']}")
        job["status"] = "running"
        job["running"] = self.now()
        return None

    def m_update_job_status(self, c, params):
        job_id, status = params.get("job_id"), params.get("status")
        if not (job_id and status):
            fail("Please provide both job_id and status")
        job = self.job_with_permission(c, job_id, True, params.get("as_admin"))
        if status not in STATUSES:  # Job.status is validated on save: nothing is saved
            fail(f"ValidationError (Job) (status: {status} is not a valid status)")
        if status in TERMINAL:
            self.end(job, status, "update_job_status", c)
        else:
            job["status"] = status  # a forced update: the DB says so, HTCondor is not told
        return [job["job_id"]]

    def m_add_job_logs(self, c, params, lines):
        job_id = params.get("job_id") if isinstance(params, dict) else params
        self.job_with_permission(c, job_id, True, params.get("as_admin") if isinstance(params, dict) else False)
        return [{"success": True, "line_number": len(lines)}]

    def m_finish_job(self, c, params):
        self.finish(c, params, params.get("as_admin"))
        return None

    def m_cancel_job(self, c, params):
        self.cancel(c, params["job_id"], params.get("terminated_code"), params.get("as_admin"))
        return None

    def m_handle_held_job(self, c, cluster_id):
        self.check_admin(c, write=True)
        fail(f"Cluster id of {cluster_id}")

    def m_is_admin(self, c):
        return [bool(c.roles & {ADMIN_WRITE, ADMIN_READ})]

    def m_get_admin_permission(self, c):
        perm = "w" if ADMIN_WRITE in c.roles else "r" if ADMIN_READ in c.roles else "n"
        return [{"permission": perm}]

    # -- the WSGI application (execution_engine2Server.Application.__call__)

    def handle(self, http_method, token, body):
        """Returns (status, content_type, body_text, call record entry)."""
        call = {"event": "call", "http_method": http_method, "rpc": None, "user": None, "created": [],
                "ended": [], "outcome": None}
        self.call = call
        status, ctype, text = self._handle(http_method, token, body, call)
        call["status"] = status
        call["empty_body"] = text == ""
        self.note(call)
        return status, ctype, text

    def _handle(self, http_method, token, body, call):
        if http_method == "OPTIONS":
            call["outcome"] = "options"
            return 200, "application/json", ""
        try:
            req = json.loads(body)
        except ValueError as ve:
            call["outcome"] = "parse error"
            err = {"error": {"code": -32700, "name": "Parse error", "message": str(ve)}}
            return 500, "application/json", self.process_error(err, {"version": "1.1"})
        except RecursionError:
            call["outcome"] = "crash: nesting"
            return 500, "text/html", CRASH_PAGE
        try:
            name = req["method"]
            module, short = name.split(".")
            call_id = req["id"]  # noqa: F841 (a KeyError is the point)
            params = req["params"]
        except Exception as e:  # outside EE2's try: the WSGI app fails
            call["outcome"] = f"crash: {type(e).__name__}"
            return 500, "text/html", CRASH_PAGE
        call["rpc"] = name
        for f in self.fail_next:
            if f["rpc"] == name and f["count"] > 0:
                f["count"] -= 1
                call["outcome"] = "injected HTTP 503"
                return 503, "text/plain", "Service Unavailable"
        methods = self.methods()
        spec = methods.get(short) if module == "execution_engine2" else None
        try:
            caller = self.authenticate(name, short if spec else None, token)
            call["user"] = caller.user
            result = self.dispatch(req, spec, caller)
        except RpcError as e:
            call["outcome"] = f"error {e.code}: {e.message}"
            err = {"error": {"code": e.code, "name": e.name, "message": e.message}}
            return 500, "application/json", self.process_error(err, req, e.trace)
        if result is None:
            call["outcome"] = "ok (no reply: the id is null)"
            return 200, "application/json", ""
        call["outcome"] = "ok"
        return 200, "application/json", json.dumps(result)

    def authenticate(self, name, short, token):
        if short is None or short in self.AUTH_NONE:
            return Caller()
        optional = short in self.AUTH_OPTIONAL
        if token is None:
            if optional:
                return Caller()
            raise server_error("Authentication required for execution_engine2 but no authentication header was passed")
        if not token:
            problem = "Must supply token"
        else:
            entry = self.tokens.get(token)
            if entry is not None:
                return Caller(entry["user"], token, entry.get("roles", ()))
            problem = "Error connecting to auth service: 401 Unauthorized\n10020 Invalid token"
        if optional:
            return Caller()
        raise server_error("Token validation failed: " + problem)

    def dispatch(self, req, spec, caller):
        """jsonrpcbase's call_py: _fill_request, _validate_params_types, _call_method, _handle_request."""
        if "jsonrpc" in req:
            if req["jsonrpc"] != "2.0":
                raise RpcError(-32600, "Invalid Request", None)
            version = 20
        else:
            version = 11 if req.get("version") == "1.1" else 10
        rid = req["id"]
        if rid is not None and not isinstance(rid, (str, int, float)):
            raise RpcError(-32600, "Invalid Request", None)
        if spec is None:
            raise RpcError(-32601, "Method not found", None)
        params = req["params"]
        if not (isinstance(params, (dict, list)) or params is None):
            raise RpcError(-32600, "Invalid Request", None)
        arity, types, fn = spec
        if isinstance(params, dict):
            raise RpcError(-32602, "Invalid params", "expected positional params, not keyword")
        if isinstance(params, list):
            for p, t, n in zip(params, types, range(1, len(params))):
                if not (isinstance(p, t) or p is None):
                    raise RpcError(-32602, "Invalid params", f"positional arg #{n} is the wrong type")
            if len(params) < arity:
                raise RpcError(-32602, "Invalid params", "not enough arguments")
            if len(params) > arity:
                raise RpcError(-32602, "Invalid params", "too many arguments")
            args = params
        else:
            args = []
        try:
            if len(args) != arity:
                raise TypeError(f"{req['method'].split('.')[1]}() missing {arity} required positional argument(s)")
            result = fn(caller, *args)
        except RpcError:
            raise
        except Exception as e:  # MethodFailed, and whatever Python raises on odd params
            message = e.args[0] if len(e.args) == 1 else e.args
            raise RpcError(-32000, "Server error", repr(message),
                           f"Traceback (most recent call last):\n  (ee2-oracle)\n{type(e).__name__}: {e}\n")
        if rid is None:
            return None
        respond = {}
        if version == 20:
            respond["jsonrpc"] = "2.0"
        elif version == 11:
            respond["version"] = "1.1"
        respond["result"] = result
        respond["id"] = rid
        return respond

    @staticmethod
    def process_error(error, request, trace=None):
        if "id" in request:
            error["id"] = request["id"]
        if "version" in request:
            error["version"] = request["version"]
            if not error["error"].get("error"):
                error["error"]["error"] = trace
        elif "jsonrpc" in request:
            error["jsonrpc"] = request["jsonrpc"]
            error["error"]["data"] = trace
        else:
            error["version"] = "1.0"
            error["error"]["error"] = trace
        return json.dumps(error)


# ----------------------------------------------------------------------------------------------
# HTTP

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes: without TCP_NODELAY, Nagle and the peer's delayed
    # ACK hold each answer back ~40 ms.
    disable_nagle_algorithm = True
    server_version = "ee2-oracle"
    sys_version = ""

    def log_message(self, format, *args):
        pass

    def body(self):
        try:
            n = int(self.headers.get("Content-Length", 0))
        except ValueError:
            n = 0
        return self.rfile.read(n) if n > 0 else b""

    def reply(self, status, ctype, text, extra=()):
        data = text.encode("utf-8")
        self.send_response(status)
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Access-Control-Allow-Headers",
                         self.headers.get("Access-Control-Request-Headers", "authorization"))
        self.send_header("content-type", ctype)
        self.send_header("content-length", str(len(data)))
        for k, v in extra:
            self.send_header(k, v)
        if self.command not in ("POST", "GET", "OPTIONS"):
            # HEAD, CONNECT, ...: answered as EE2 answers them; then this connection is done.
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def any_method(self):
        path = urllib.parse.urlsplit(self.path).path
        state = self.server.state
        body = self.body()
        if path.startswith("/api/"):
            return self.auth2(path, body)
        if path == "/oracle/record" and self.command == "GET":
            q = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
            since = int(q.get("since", ["0"])[0])
            with state.lock:
                events, nxt = state.ee2.read_record(since)
                text = json.dumps({"events": events, "next": nxt})
            return self.reply(200, "application/json", text)
        if path == "/oracle/control" and self.command == "POST":
            order = json.loads(body)
            with state.lock:
                if order.get("clear"):
                    state.ee2.fail_next.clear()
                if "fail_next" in order:
                    state.ee2.fail_next.append(dict(order["fail_next"]))
            return self.reply(200, "application/json", "{}")
        tokens = self.headers.get_all("Authorization")
        token = ",".join(tokens) if tokens else None  # gunicorn joins repeated headers
        with state.lock:
            status, ctype, text = state.ee2.handle(self.command, token, body)
        self.reply(status, ctype, text)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = do_CONNECT = do_TRACE = any_method

    # -- auth2

    def auth2(self, path, body):
        tokens = self.server.state.ee2.tokens
        if path == "/api/legacy/KBase/Sessions/Login" and self.command == "POST":
            form = urllib.parse.parse_qs(body.decode("utf-8", "replace"))
            token = (form.get("token") or [None])[0]
            entry = tokens.get(token) if token else None
            if entry is None:
                return self.auth2_invalid(token)
            return self.reply(200, "application/json", json.dumps({"user_id": entry["user"]}))
        if self.command != "GET" or path not in ("/api/V2/token", "/api/V2/me"):
            return self.reply(404, "application/json", json.dumps({"error": {"httpcode": 404, "message": "Not Found"}}))
        token = self.headers.get("Authorization")
        entry = tokens.get(token) if token else None
        if entry is None:
            return self.auth2_invalid(token)
        if entry.get("v2status"):
            code = int(entry["v2status"])
            return self.reply(code, "text/html", f"<html><body>HTTP {code}</body></html>")
        now = int(time.time() * 1000)
        if path == "/api/V2/token":
            out = {"type": "Login", "id": "tid-" + entry["user"], "expires": now + 3_600_000,
                   "created": now - 1000, "name": None, "user": entry["user"], "custom": {},
                   "cachefor": 300000}
        else:
            out = {"created": now - 1000, "lastlogin": now, "display": entry["user"], "roles": [],
                   "customroles": list(entry.get("roles", [])), "policyids": [], "user": entry["user"],
                   "local": False, "email": entry["user"] + "@example.org", "idents": []}
        self.reply(200, "application/json", json.dumps(out))

    def auth2_invalid(self, token):
        none = not token
        err = {"error": {"httpcode": 401, "httpstatus": "Unauthorized", "appcode": 10010 if none else 10020,
                         "apperror": "No authentication token" if none else "Invalid token",
                         "message": "10010 No authentication token" if none else "10020 Invalid token",
                         "callid": "0123456789012345", "time": int(time.time() * 1000)}}
        self.reply(401, "application/json", json.dumps(err))


class State:
    def __init__(self, tokens):
        self.lock = threading.Lock()
        self.ee2 = Ee2(tokens)


def main():
    ap = argparse.ArgumentParser(description="An EE2 oracle (and auth2) for the proxy's tests")
    ap.add_argument("--tokens", required=True, help="JSON file: {\"tokens\": {token: {user, roles, v2status}}}")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0)
    args = ap.parse_args()
    with open(args.tokens, encoding="utf-8") as f:
        tokens = json.load(f)["tokens"]
    server = ThreadingHTTPServer((args.host, args.port), Handler)
    server.daemon_threads = True
    server.state = State(tokens)
    host, port = server.server_address[:2]
    print(f"ee2-oracle listening on http://{host}:{port}/", flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
