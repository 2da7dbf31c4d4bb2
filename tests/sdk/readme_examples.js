"use strict";
/**
 * StackOne's TypeScript SDK (the version package-lock.json pins) driving the gateway as a StackOne user drives it.
 *
 * The examples are the SDK's own: every TypeScript usage snippet of the installed package's
 * docs/sdks/ats/README.md is parsed here, and the argument of its `stackOne.ats.<method>(…)` call is evaluated as
 * the JavaScript it is (its enum names bound to the SDK's models), so the call, the parameters and the body are
 * exactly what the README shows. Then what a user replaces is replaced: `security` by the gateway key as Basic
 * user name, `xAccountId` by the account, each `"<id>"` by an id listed first through the SDK itself (PATH_IDS).
 * The values a user has to change are changed in two ways, each with its reason, which the report repeats:
 * before the call, ADAPTATIONS (ids of records that do not exist, `candidateId` beside `candidate`, what an ATS
 * requires); after the gateway's answer, what it names as refused: `fields` naming fields the model lacks (400),
 * body fields the account's vendor cannot carry (422 `*.unsupported_field`), dropped, and the acting user a write
 * must name (422), given in `passthrough`; then the call is made again. An operation `/meta` says the account does
 * not serve is called as printed.
 *
 * Usage: node readme_examples.js <serverURL> <apiKey> <account>...
 * Prints one JSON document, {sdk, examples, walks, extensions}, which tests/test_sdk_compat.py reads.
 */

const fs = require("node:fs");
const path = require("node:path");
const { StackOne, HTTPClient } = require("@stackone/stackone-client-ts");
const shared = require("@stackone/stackone-client-ts/sdk/models/shared");
const { StackOneError } = require("@stackone/stackone-client-ts/sdk/models/errors");

const SDK_DIR = path.dirname(require.resolve("@stackone/stackone-client-ts/package.json"));
const SDK_VERSION = require("@stackone/stackone-client-ts/package.json").version;
const PLACEHOLDER = "<id>";
const SHARED_MODELS = "@stackone/stackone-client-ts/sdk/models/shared";
/** The client every snippet builds: the part of it a user fills in is `security`. */
const SNIPPET_CLIENT =
  'const stackOne = new StackOne({\n  security: {\n    password: "",\n    username: "",\n  },\n});';

// ---------------------------------------------------------------------------------------------------------------
// The README's examples, parsed.

/** The index just past the value that opens at `start` (a `{`), skipping string literals. */
function closing(code, start) {
  let depth = 0;
  for (let i = start; i < code.length; i++) {
    const c = code[i];
    if (c === '"' || c === "'" || c === "`") {
      for (i++; code[i] !== c; i++) if (code[i] === "\\") i++;
    } else if (c === "{" || c === "[" || c === "(") {
      depth++;
    } else if (c === "}" || c === "]" || c === ")") {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  throw new Error(`unbalanced literal at ${start}`);
}

function parseSnippet(operationId, httpMethod, route, code) {
  if (!code.includes(SNIPPET_CLIENT)) throw new Error(`${operationId}: the snippet builds its client differently`);
  const call = /const result = await stackOne\.ats\.(\w+)\(/.exec(code);
  if (!call) throw new Error(`${operationId}: no stackOne.ats call`);
  const start = call.index + call[0].length;
  const literal = code.slice(start, closing(code, start));
  const imports = [...code.matchAll(/import \{([^}]*)\} from "([^"]+)";/g)];
  const names = imports
    .filter(([, , from]) => from === SHARED_MODELS)
    .flatMap(([, list]) => list.split(",").map((n) => n.trim()))
    .filter(Boolean);
  for (const name of names) if (!(name in shared)) throw new Error(`${operationId}: ${name} is not an SDK model`);
  const args = new Function(...names, `"use strict"; return (${literal});`)(...names.map((n) => shared[n]));
  return {
    operationId,
    httpMethod: httpMethod.toUpperCase(),
    route,
    method: call[1],
    args,
    paginated: code.includes("for await (const page of result)"),
  };
}

function readmeExamples() {
  const text = fs.readFileSync(path.join(SDK_DIR, "docs/sdks/ats/README.md"), "utf8");
  const snippet =
    /<!-- UsageSnippet language="typescript" operationID="(\w+)" method="(\w+)" path="([^"]+)" -->\n```typescript\n([\s\S]*?)```/g;
  return [...text.matchAll(snippet)].map(([, id, method, route, code]) => parseSnippet(id, method, route, code));
}

// ---------------------------------------------------------------------------------------------------------------
// A user on one account: the SDK client, and the ids they list through it before they use them.

/** A lookup whose list answers 501 on this account: the example then keeps the README's value. */
class NotServed extends Error {}

/** The body of an SDK error as the gateway sent it (the SDK's typed error keeps only StackOne's own fields). */
function gatewayBody(error) {
  try {
    return JSON.parse(error.body);
  } catch {
    return {};
  }
}

/** The request body of an example's arguments (`atsCreateJobRequestDto`, …). */
function requestBody(args) {
  return Object.entries(args).find(([key]) => key.startsWith("ats"))?.[1];
}

const ENVELOPE = new Set(["contentType", "headers", "statusCode", "rawResponse", "next", "~next"]);

/** The field of the SDK's response object that holds the typed answer (e.g. `atsJobsPaginated`). */
function typedKey(response) {
  return Object.keys(response).find((k) => !ENVELOPE.has(k) && response[k] !== undefined);
}

class User {
  constructor(serverURL, apiKey, account) {
    this.serverURL = serverURL;
    this.apiKey = apiKey;
    this.account = account;
    this.sent = [];
    const httpClient = new HTTPClient();
    httpClient.addHook("beforeRequest", async (request) => {
      const body = request.body ? await request.clone().text() : null;
      this.sent.push({ method: request.method, url: request.url, body });
    });
    this.sdk = new StackOne({ serverURL, security: { username: apiKey, password: "" }, httpClient });
    this.listed = new Map();
    this.created = new Map();
    this.unserved = new Set();
    this.ordered = new Map();
  }

  /** What the account is (its connector and ATS), from the gateway's capability discovery; not an SDK call. */
  async discover() {
    const auth = Buffer.from(`${this.apiKey}:`).toString("base64");
    const answer = await fetch(`${this.serverURL}/unified/ats/meta`, {
      headers: { authorization: `Basic ${auth}`, "x-account-id": this.account },
    });
    const meta = await answer.json();
    this.connector = meta.connector;
    this.ats = meta.ats;
    this.served = new Set(meta.operations.filter((op) => op.supported).map((op) => op.operation));
  }

  get greenhouse() {
    return this.ats === "greenhouse";
  }

  /** The records of the first page of a list, typed by the SDK; reference data is listed once. */
  async list(method, params = {}, { fresh = false } = {}) {
    const key = JSON.stringify([method, params]);
    if (fresh || !this.listed.has(key)) {
      const listing = this.sdk.ats[method]({ ...params, xAccountId: this.account }).then(
        (page) => page[typedKey(page)].data,
        (error) => {
          if (error instanceof StackOneError && error.statusCode === 501) throw new NotServed(method);
          throw error;
        },
      );
      this.listed.set(key, listing);
    }
    return this.listed.get(key);
  }

  async first(method, params = {}) {
    const [record] = await this.list(method, params);
    if (!record) throw new Error(`${this.account}: ${method} lists nothing`);
    return record;
  }

  /** The first parent (from `parents`) with a record in its sub-list `method`, and that record. */
  async parentWith(parents, method) {
    for (const parent of await this.list(parents)) {
      const [child] = await this.list(method, { id: parent.id });
      if (child) return [parent, child];
    }
    throw new Error(`${this.account}: nothing in ${parents} has a record in ${method}`);
  }

  /** An application still in the process (not hired, not rejected): one a user can move, reject or update. */
  async openApplication() {
    const applications = await this.list("listApplications", {}, { fresh: true });
    const done = new Set(["hired", "rejected"]);
    const open = applications.find((a) => !a.rejectedAt && !done.has(a.applicationStatus?.value));
    if (!open) throw new Error(`${this.account}: no application is open`);
    return open;
  }

  /** The record an earlier example created (its answer's id), e.g. the order whose result is then updated. */
  createdBy(method) {
    if (this.created.has(method)) return this.created.get(method);
    if (this.unserved.has(method)) throw new NotServed(method);
    throw new Error(`${this.account}: ${method} created nothing`);
  }

  /** Greenhouse creates jobs from a template: a job whose raw Greenhouse record says `is_template`. */
  async greenhouseTemplate() {
    const page = await this.sdk.ats.listJobs({ xAccountId: this.account, raw: true });
    const items = page.atsJobsPaginated.raw.flatMap((exchange) => exchange.response?.items ?? []);
    const template = items.find((item) => item.raw_data?.is_template);
    if (!template) throw new Error(`${this.account}: no template job`);
    return template.remote_id;
  }

  /** The extension fields as a Greenhouse user carries them: in `passthrough`, since the SDK drops unknown keys. */
  async greenhouseExtensions({ job = false } = {}) {
    const acting = { acting_user_id: (await this.first("listUsers")).id };
    return job ? { ...acting, template_id: await this.greenhouseTemplate(), openings: 1 } : acting;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Path ids: each "<id>" of an example filled from what the user lists first.

const byId = (method) => async (user) => [(await user.first(method)).id];
const applicationWith = (method) => async (user) =>
  (await user.parentWith("listApplications", method)).map((record) => record.id);
const firstApplication = byId("listApplications");
const openApplication = async (user) => [(await user.openApplication()).id];
const createdBy = (method) => async (user) => [user.createdBy(method)];

const PATH_IDS = {
  createApplicationNote: firstApplication,
  createCandidateNote: byId("listCandidates"),
  deleteBackgroundCheckPackage: createdBy("createBackgroundCheckPackage"),
  downloadApplicationDocument: applicationWith("listApplicationDocuments"),
  getApplication: firstApplication,
  getApplicationCustomFieldDefinition: byId("listApplicationCustomFieldDefinitions"),
  getApplicationDocument: applicationWith("listApplicationDocuments"),
  getApplicationDocumentCategory: byId("listApplicationDocumentCategories"),
  getApplicationNote: applicationWith("listApplicationNotes"),
  getApplicationOffer: applicationWith("listApplicationsOffers"),
  getApplicationScheduledInterview: applicationWith("listApplicationsScheduledInterviews"),
  getApplicationScorecard: applicationWith("listApplicationScorecards"),
  getApplicationStage: byId("listApplicationStages"),
  getAssessmentsPackage: byId("listAssessmentsPackages"),
  getBackgroundCheckPackage: byId("listBackgroundCheckPackages"),
  getCandidate: byId("listCandidates"),
  getCandidateCustomFieldDefinition: byId("listCandidateCustomFieldDefinitions"),
  getCandidateNote: async (user) => (await user.parentWith("listCandidates", "listCandidateNotes")).map((r) => r.id),
  getDepartment: byId("listDepartments"),
  getInterview: byId("listInterviews"),
  getInterviewStage: byId("listInterviewStages"),
  getJob: byId("listJobs"),
  getJobApplicationStage: async (user) =>
    (await user.parentWith("listJobs", "listJobApplicationStages")).map((r) => r.id),
  getJobCustomFieldDefinition: byId("listJobCustomFieldDefinitions"),
  getJobPosting: byId("listJobPostings"),
  getList: byId("listLists"),
  getLocation: byId("listLocations"),
  getOffer: byId("listOffers"),
  getRejectedReason: byId("listRejectedReasons"),
  getUser: byId("listUsers"),
  listApplicationChanges: firstApplication,
  listApplicationDocuments: firstApplication,
  listApplicationNotes: firstApplication,
  listApplicationScorecards: firstApplication,
  listApplicationsOffers: firstApplication,
  listApplicationsScheduledInterviews: firstApplication,
  listCandidateNotes: byId("listCandidates"),
  listJobApplicationStages: byId("listJobs"),
  moveApplication: openApplication,
  rejectApplication: openApplication,
  updateApplication: openApplication,
  updateApplicationNote: applicationWith("listApplicationNotes"),
  updateAssessmentsResult: createdBy("orderAssessmentsRequest"),
  updateBackgroundCheckPackage: byId("listBackgroundCheckPackages"),
  updateBackgroundCheckResult: createdBy("orderBackgroundCheckRequest"),
  updateCandidate: byId("listCandidates"),
  updateJob: byId("listJobs"),
  uploadApplicationDocument: firstApplication,
};

// ---------------------------------------------------------------------------------------------------------------
// Adaptations: where a README value cannot work as printed, what a user changes, and why (the report says it).
// `when` limits one to the accounts it concerns. A lookup that answers 501 leaves the README's value in place.

const distinct = async (user, method, count) => {
  const records = await user.list(method);
  return Array.from({ length: count }, (_, i) => records[i % records.length]);
};

/** The README's departments, locations and hiring team of a job write, replaced by listed records. */
async function jobReferences(body, user) {
  body.departmentIds = (await distinct(user, "listDepartments", body.departmentIds.length)).map((d) => d.id);
  body.locationIds = (await distinct(user, "listLocations", body.locationIds.length)).map((l) => l.id);
  const users = await distinct(user, "listUsers", body.hiringTeam.length);
  body.hiringTeam.forEach((member, i) =>
    Object.assign(member, { userId: users[i].id, remoteUserId: users[i].remoteId }),
  );
}

const JOB_REFERENCES = {
  why:
    'departmentIds ("308570"…), locationIds ("668570"…) and hiringTeam user ids ("123456") name no record: ' +
    "listed departments, locations and users instead",
  apply: (args, user) => jobReferences(requestBody(args), user),
};
const BINDBEE_ROLES = {
  when: (user) => user.connector === "bindbee",
  why:
    'hiringTeam role "Software Engineer": Bindbee\'s hiring team has recruiters and hiring managers only ' +
    '(the gateway\'s 422 says so): role "recruiter"',
  apply: (args) => requestBody(args).hiringTeam.forEach((member) => (member.role = "recruiter")),
};
const AUTHOR = {
  why: 'authorId "1234567890" names no user: a user from listUsers',
  apply: async (args, user) => (requestBody(args).authorId = (await user.first("listUsers")).id),
};
const GREENHOUSE_ACTING_USER = {
  when: (user) => user.greenhouse,
  why:
    "Greenhouse records who makes the change (the gateway's 422 asks for acting_user_id): " +
    "passthrough.acting_user_id, a listed user",
  apply: async (args, user) => {
    const body = requestBody(args);
    body.passthrough = { ...body.passthrough, ...(await user.greenhouseExtensions()) };
  },
};
/** The README's placeholder vendor field in `passthrough`; Harvest refuses fields it does not have. */
const GREENHOUSE_PLACEHOLDER_PASSTHROUGH = {
  when: (user) => user.greenhouse,
  why:
    "passthrough.other_known_names is the README's placeholder of a vendor field; this write goes to Greenhouse's " +
    "Harvest, which has no such field (its 422, relayed by the gateway, says so): dropped",
  apply: (args) => delete requestBody(args).passthrough.other_known_names,
};

/** What an order names (application, candidate, job, package, requester), replaced by real records; the ordered
 * candidate is remembered for the result the next example records. */
async function orderReferences(body, user, order, packages) {
  const application = await user.first("listApplications");
  const candidate = (await user.list("listCandidates")).find((c) => c.id === application.candidateId);
  const job = (await user.list("listJobs")).find((j) => j.id === application.jobId);
  const [pkg, requester] = [await user.first(packages), await user.first("listUsers")];
  Object.assign(body.application, { id: application.id, remoteId: application.remoteId });
  Object.assign(body.candidate, {
    id: candidate.id,
    remoteId: candidate.remoteId,
    firstName: candidate.firstName,
    lastName: candidate.lastName,
    emails: [{ type: "personal", value: candidate.email }],
  });
  Object.assign(body.job, { id: job.id, remoteId: job.remoteId, title: job.title });
  for (const member of body.job.hiringTeam) {
    Object.assign(member, { userId: requester.id, remoteUserId: requester.remoteId });
  }
  Object.assign(body.package, { id: pkg.id, remoteId: pkg.remoteId, name: pkg.name, description: pkg.description });
  if (body.package.tests) body.package.tests = pkg.tests.map(({ id, remoteId, name }) => ({ id, remoteId, name }));
  Object.assign(body.requester, { userId: requester.id, remoteUserId: requester.remoteId });
  user.ordered.set(order, candidate.id);
}

const ORDER_REFERENCES = (order, packages) => ({
  why:
    'the README\'s application, candidate, job, package and requester ("8187e5da-…", "123456") name no record: ' +
    `the first listed application, its candidate and job, a package from ${packages}, a listed user`,
  apply: (args, user) => orderReferences(requestBody(args), user, order, packages),
});
const ORDERED_CANDIDATE = (order) => ({
  why: `candidate.id "8187e5da-…" names no candidate: the candidate of the order ${order} placed`,
  apply: (args, user) => {
    user.createdBy(order);
    requestBody(args).candidate.id = user.ordered.get(order);
  },
});

const ADAPTATIONS = {
  createApplication: [
    {
      when: (user) => user.connector !== "merge",
      why:
        "both candidateId and candidate are given; StackOne takes one or the other: kept the inline candidate " +
        "(a new person applies), dropped candidateId",
      apply: (args) => delete args.atsCreateApplicationRequestDto.candidateId,
    },
    {
      when: (user) => user.connector === "merge",
      why:
        "both candidateId and candidate are given; Merge puts an existing candidate on a job (the gateway's 422 " +
        "says to create the candidate first): dropped the inline candidate, candidateId of a listed candidate",
      apply: async (args, user) => {
        const body = args.atsCreateApplicationRequestDto;
        delete body.candidate;
        body.candidateId = (await user.first("listCandidates")).id;
      },
    },
    {
      why:
        "jobId, jobPostingId, locationId name no record: the first listed job, its posting (listJobPostings) " +
        "and a listed location",
      apply: async (args, user) => {
        const body = args.atsCreateApplicationRequestDto;
        const job = await user.first("listJobs");
        body.jobId = job.id;
        body.locationId = (await user.first("listLocations")).id;
        try {
          body.jobPostingId = (await user.list("listJobPostings")).find((p) => p.jobId === job.id).id;
        } catch (error) {
          if (!(error instanceof NotServed)) throw error;
        }
      },
    },
  ],
  createApplicationNote: [AUTHOR],
  createCandidateNote: [AUTHOR],
  createJob: [
    JOB_REFERENCES,
    BINDBEE_ROLES,
    {
      when: (user) => user.greenhouse,
      why:
        "Greenhouse takes one department and needs a template job, the acting user and the number of openings " +
        "(the gateway's 422 lists them): the first department only, and passthrough {template_id, openings, " +
        "acting_user_id}, since the SDK drops fields its model lacks",
      apply: async (args, user) => {
        const body = args.atsCreateJobRequestDto;
        body.departmentIds = body.departmentIds.slice(0, 1);
        body.passthrough = { ...body.passthrough, ...(await user.greenhouseExtensions({ job: true })) };
      },
    },
  ],
  createOffer: [
    {
      why:
        "the README's offer names no application, and an offer is made on one: applicationId of the first " +
        "listed application",
      apply: async (args, user) =>
        (args.atsCreateOfferRequestDto.applicationId = (await user.first("listApplications")).id),
    },
  ],
  listApplications: [
    {
      why: 'jobId "cxQiyiuasdFKfdsYfer" names no job: the first listed job',
      apply: async (args, user) => (args.jobId = (await user.first("listJobs")).id),
    },
  ],
  moveApplication: [
    {
      why:
        'interviewStageId "f223d7f6-…" is no stage of the application\'s job: another stage of that job ' +
        "(listJobApplicationStages)",
      apply: async (args, user) => {
        const application = (await user.list("listApplications", {}, { fresh: true })).find((a) => a.id === args.id);
        const stages = await user.list("listJobApplicationStages", { id: application.jobId });
        args.atsMoveApplicationRequestDto.interviewStageId = stages.find(
          (s) => s.id !== application.interviewStageId,
        ).id;
      },
    },
    GREENHOUSE_ACTING_USER,
    GREENHOUSE_PLACEHOLDER_PASSTHROUGH,
  ],
  orderAssessmentsRequest: [ORDER_REFERENCES("orderAssessmentsRequest", "listAssessmentsPackages")],
  orderBackgroundCheckRequest: [ORDER_REFERENCES("orderBackgroundCheckRequest", "listBackgroundCheckPackages")],
  rejectApplication: [
    {
      why: 'rejectedReasonId "f223d7f6-…" names no reason: the first of listRejectedReasons',
      apply: async (args, user) =>
        (args.atsRejectApplicationRequestDto.rejectedReasonId = (await user.first("listRejectedReasons")).id),
    },
    GREENHOUSE_ACTING_USER,
    GREENHOUSE_PLACEHOLDER_PASSTHROUGH,
  ],
  updateApplication: [
    {
      when: (user) => user.greenhouse,
      why:
        "Greenhouse names sources and custom fields by numeric ids this account lists nowhere (custom field " +
        "definitions answer 501): source and customFields dropped",
      apply: (args) => {
        delete args.atsUpdateApplicationRequestDto.source;
        delete args.atsUpdateApplicationRequestDto.customFields;
      },
    },
    GREENHOUSE_ACTING_USER,
    GREENHOUSE_PLACEHOLDER_PASSTHROUGH,
  ],
  updateApplicationNote: [AUTHOR],
  updateAssessmentsResult: [ORDERED_CANDIDATE("orderAssessmentsRequest")],
  updateBackgroundCheckPackage: [
    {
      why:
        'tests[].id "8187e5da-…" is no test of the package: the package\'s own tests (from ' +
        "listBackgroundCheckPackages)",
      apply: async (args, user) => {
        const pkg = (await user.list("listBackgroundCheckPackages")).find((p) => p.id === args.id);
        args.atsUpdateBackgroundCheckPackagesRequestDto.tests.forEach(
          (test, i) => (test.id = pkg.tests[i % pkg.tests.length].id),
        );
      },
    },
  ],
  updateBackgroundCheckResult: [ORDERED_CANDIDATE("orderBackgroundCheckRequest")],
  updateCandidate: [
    {
      why: 'applicationIds ("123e4567-…") name no application: the candidate\'s own applicationIds',
      apply: async (args, user) => {
        const candidate = (await user.list("listCandidates")).find((c) => c.id === args.id);
        args.atsUpdateCandidateRequestDto.applicationIds = candidate.applicationIds ?? [];
      },
    },
    GREENHOUSE_ACTING_USER,
    GREENHOUSE_PLACEHOLDER_PASSTHROUGH,
  ],
  updateJob: [JOB_REFERENCES],
  uploadApplicationDocument: [
    {
      why: 'categoryId "6530" names no category: the first of listApplicationDocumentCategories',
      apply: async (args, user) =>
        (args.atsDocumentsUploadRequestDto.categoryId = (await user.first("listApplicationDocumentCategories")).id),
    },
    {
      why:
        "content: the README's base64 lacks its padding (78 characters); a user's encoder pads it " +
        '(Buffer.toString("base64")), as Bindbee requires',
      apply: (args) => {
        const body = args.atsDocumentsUploadRequestDto;
        body.content = Buffer.from(body.content, "base64").toString("base64");
      },
    },
    {
      when: (user) => user.greenhouse,
      why:
        "category {} is empty, and Greenhouse types every attachment (Bindbee's 422, relayed by the gateway, " +
        'asks for attachment_type): category {value: "other"}',
      apply: (args) => (args.atsDocumentsUploadRequestDto.category = { value: "other" }),
    },
  ],
};

// What a user changes after reading the gateway's answer: the errors it names, one kind each.

const camel = (name) => name.replace(/_([a-z])/g, (_, c) => c.toUpperCase());

/** `fields` naming fields the model lacks: the gateway's 400 names them; the user drops them from `fields`. */
function unknownFields(args, errors) {
  const refused = errors.find((e) => e.rule === "query.fields");
  if (!refused) return null;
  const names = refused.message.replace(/^unknown field\(s\) /, "").split(", ");
  const kept = (args.fields ?? "").split(",").filter((f) => !names.includes(f));
  if (kept.length === (args.fields ?? "").split(",").length) return null;
  args.fields = kept.join(",");
  return {
    why: `fields: dropped ${names.join(", ")} (the gateway's 400: not fields of StackOne's model)`,
    droppedFields: names,
  };
}

/** Body fields the account's vendor cannot carry: the gateway's 422 names each (rule `*.unsupported_field`), by
 * its path in the body (`hired_at`, `candidate.hired_at`); the user drops them. Null when nothing could be dropped. */
function unsupportedFields(args, errors) {
  const body = Object.entries(args).find(([k]) => k.startsWith("ats"))?.[1];
  const dropped = [];
  for (const { field, rule } of errors) {
    if (!rule.endsWith(".unsupported_field") || field.includes("[")) continue;
    const path = field.split(".").map(camel);
    const parent = path.slice(0, -1).reduce((node, key) => node?.[key], body);
    if (parent && path.at(-1) in parent) {
      delete parent[path.at(-1)];
      dropped.push(field);
    }
  }
  if (!dropped.length) return null;
  return {
    why: `dropped ${dropped.join(", ")}: the gateway's 422 says this account's vendor cannot carry them`,
    droppedBody: dropped,
  };
}

/** A write the gateway's 422 says must name who makes it (rule `*.requires_acting_user` or
 * `*.requires_remote_user`): the user names one of the account's users in `passthrough.acting_user_id`, since the
 * SDK drops fields its model lacks. */
async function actingUser(args, errors, user) {
  const body = requestBody(args);
  const asked = errors.some((e) => /\.requires_(acting|remote)_user$/.test(e.rule));
  if (!asked || body.passthrough?.acting_user_id) return null;
  body.passthrough = { ...body.passthrough, acting_user_id: (await user.first("listUsers")).id };
  return { why: "the gateway's 422 asks who makes the write: passthrough.acting_user_id, a listed user" };
}

// ---------------------------------------------------------------------------------------------------------------
// Running one example.

async function lengthOf(body) {
  if (typeof body === "string" || body instanceof Uint8Array) return body.length;
  if (body && typeof body.getReader === "function") {
    let length = 0;
    for await (const chunk of body) length += chunk.length;
    return length;
  }
  return null;
}

/** One call as the SDK makes it; pages are walked through `next` as the README's `for await` loop does. */
async function call(user, example, args, report) {
  const response = await user.sdk.ats[example.method](args);
  const key = typedKey(response);
  Object.assign(report, { status: response.statusCode, typed: key });
  if (example.paginated) {
    report.pages = 0;
    report.records = 0;
    for await (const page of response) {
      report.pages++;
      report.records += page[typedKey(page)].data.length;
    }
  }
  const answer = response[key];
  const created = answer?.data?.id ?? answer?.id;
  if (example.httpMethod === "POST" && typeof created === "string") user.created.set(example.method, created);
  if (example.method === "downloadApplicationDocument") {
    Object.assign(report, { contentType: response.contentType, bytes: await lengthOf(answer) });
  }
}

/** The SDK could not make the call or read the answer (a ResponseValidationError names each field it refused). */
function failed(report, error, during) {
  const issues = error.cause?.issues?.map((i) => `${i.path.join(".")}: ${i.message}`);
  return Object.assign(report, { outcome: "sdk_error", during, error: error.name, message: error.message, issues });
}

async function run(user, example) {
  const args = structuredClone(example.args);
  const report = { account: user.account, operationId: example.operationId, method: example.method, adaptations: [] };
  if (args.xAccountId !== PLACEHOLDER) throw new Error(`${example.method}: xAccountId is not the README's placeholder`);
  args.xAccountId = user.account;
  const prepare = async (step) => {
    try {
      await step();
      return true;
    } catch (error) {
      if (!(error instanceof NotServed)) throw error;
      const note = `${error.message} answers 501 here: the README's value is kept`;
      report.unlisted = [...new Set([...(report.unlisted ?? []), note])];
      return false;
    }
  };
  try {
    await prepare(async () => {
      if (![args.id, args.subResourceId].includes(PLACEHOLDER)) return;
      const [id, subResourceId] = await PATH_IDS[example.method](user);
      if (args.id === PLACEHOLDER) args.id = id;
      if (args.subResourceId === PLACEHOLDER) args.subResourceId = subResourceId;
    });
    // An operation /meta says the account does not serve is called as printed: its 501 is the answer expected.
    for (const adaptation of user.served.has(example.operationId) ? (ADAPTATIONS[example.method] ?? []) : []) {
      if (adaptation.when && !adaptation.when(user)) continue;
      if (await prepare(() => adaptation.apply(args, user))) report.adaptations.push(adaptation.why);
    }
  } catch (error) {
    return failed(report, error, "looking up the example's ids");
  }
  for (;;) {
    try {
      await call(user, example, args, report);
      report.outcome = "ok";
      return report;
    } catch (error) {
      if (!(error instanceof StackOneError)) return failed(report, error, "the example's call");
      const body = gatewayBody(error);
      const errors = body.errors ?? [];
      const fix =
        (error.statusCode === 400 && unknownFields(args, errors)) ||
        (error.statusCode === 422 && (unsupportedFields(args, errors) || (await actingUser(args, errors, user))));
      if (fix) {
        report.adaptations.push(fix.why);
        for (const key of ["droppedFields", "droppedBody"])
          if (fix[key]) report[key] = [...(report[key] ?? []), ...fix[key]];
        continue;
      }
      if (error.statusCode === 501) user.unserved.add(example.method);
      return Object.assign(report, {
        outcome: "error",
        error: error.name,
        status: error.statusCode,
        code: body.code,
        message: body.message ?? error.message,
        errors,
        providerErrors: body.provider_errors,
      });
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The gateway's extension fields through the SDK (README "Using StackOne's SDKs").

async function extensions(user) {
  const [department, location, member] = [
    await user.first("listDepartments"),
    await user.first("listLocations"),
    await user.first("listUsers"),
  ];
  const job = (title) => ({
    title,
    jobStatus: { value: shared.AtsCreateJobRequestDtoValue.Draft },
    departmentIds: [department.id],
    locationIds: [location.id],
    hiringTeam: [{ userId: member.id, role: "recruiter" }],
  });
  const values = { template_id: await user.greenhouseTemplate(), openings: 2, acting_user_id: member.id };
  const outcome = async (body) => {
    const before = user.sent.length;
    const report = {};
    try {
      const response = await user.sdk.ats.createJob({ xAccountId: user.account, atsCreateJobRequestDto: body });
      Object.assign(report, { status: response.statusCode, id: response.createResult.data.id });
    } catch (error) {
      if (!(error instanceof StackOneError)) throw error;
      const answer = gatewayBody(error);
      Object.assign(report, {
        status: error.statusCode,
        error: error.name,
        code: answer.code,
        fields: (answer.errors ?? []).map((e) => e.field),
      });
    }
    report.sent = JSON.parse(user.sent.slice(before).find((r) => r.method === "POST").body);
    return report;
  };
  return {
    values,
    passthrough: await outcome({ ...job("Backend Engineer (passthrough)"), passthrough: values }),
    topLevel: await outcome({
      ...job("Backend Engineer (top level)"),
      ...values,
      templateId: values.template_id,
      actingUserId: values.acting_user_id,
    }),
  };
}

/** A walk through every page with the smallest page size: the SDK follows each `next` the gateway answers. */
async function walk(user) {
  const everyone = (await user.list("listCandidates", { pageSize: "100" }, { fresh: true })).map((c) => c.id);
  const seen = [];
  let pages = 0;
  for await (const page of await user.sdk.ats.listCandidates({ xAccountId: user.account, pageSize: "1" })) {
    pages++;
    seen.push(...page.candidatesPaginated.data.map((c) => c.id));
  }
  return { account: user.account, pages, seen, everyone };
}

async function main() {
  const [serverURL, apiKey, ...accounts] = process.argv.slice(2);
  const examples = readmeExamples();
  const results = [];
  const walks = [];
  let extension = null;
  for (const account of accounts) {
    const user = new User(serverURL, apiKey, account);
    await user.discover();
    for (const example of examples) results.push(await run(user, example));
    walks.push(await walk(user));
    if (user.greenhouse && user.served.has("ats_create_job") && extension === null) extension = await extensions(user);
  }
  const report = { sdk: { version: SDK_VERSION }, examples: results, walks, extensions: extension };
  process.stdout.write(JSON.stringify(report, null, 1));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
