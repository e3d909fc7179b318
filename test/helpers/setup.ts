// Loaded by mocha before any test file: keeps the SDKs' notices out of test
// output: aws-sdk v2's end-of-support notice, and aws-sdk v3's warning that
// its releases from 2027 need Node 22. Library users still see both; only
// this process sets the variables.
process.env.AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE ??= '1';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
