// Every subcommand: `int cmd_<name>(int argc, char** argv)` with argv after the subcommand name.
// The dispatch table is in main.cpp; each command lives in its own cmd_<name>.cpp.
#pragma once

namespace fulcrum::apps {

int cmd_inspect(int argc, char** argv);
int cmd_tokenize(int argc, char** argv);
int cmd_detokenize(int argc, char** argv);
int cmd_template(int argc, char** argv);
int cmd_classify(int argc, char** argv);
int cmd_quantize(int argc, char** argv);
int cmd_run(int argc, char** argv);
int cmd_perplexity(int argc, char** argv);
int cmd_serve(int argc, char** argv);

}  // namespace fulcrum::apps
