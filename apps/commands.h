// Every subcommand: `int cmd_<name>(int argc, char** argv)` with argv after the subcommand name.
// The dispatch table is in main.cpp; each command lives in its own cmd_<name>.cpp.
#pragma once

namespace fulcrum::apps {

int cmd_inspect(int argc, char** argv);

}  // namespace fulcrum::apps
