import assert from "assert";
