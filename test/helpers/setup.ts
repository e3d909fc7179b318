// Loaded by mocha before any test file: keeps aws-sdk v2's end-of-support
// notice out of test output. Library users still see it; only this process
// sets the variable.
process.env.AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE ??= '1';
