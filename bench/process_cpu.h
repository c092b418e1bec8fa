#ifndef PEDIGREE_BENCH_PROCESS_CPU_H_
#define PEDIGREE_BENCH_PROCESS_CPU_H_

// CPU time of the processes a bench phase exercises, read from Linux's
// /proc, so that a phase can report CPU per call: a figure that depends far
// less than a rate on what else the (shared) host is doing at the time.
//
//   CpuWatch watch({.server_pid = 123, .database_pid = 456});
//   const CpuSample before = watch.Sample();
//   ... run the phase ...
//   const CpuSample spent = watch.Sample() - before;

#include <dirent.h>
#include <sys/types.h>
#include <unistd.h>

#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"

namespace pedigree::bench {

// Seconds of CPU (user + system), by whom. A plain value.
struct CpuSample {
  double server = 0;    // the server process, all its threads
  double database = 0;  // the database's postmaster and its children
  double bench = 0;     // this process
  double machine = 0;   // every CPU of the host, busy (not idle, iowait
                        // or stolen by the hypervisor)

  CpuSample operator-(const CpuSample& other) const {
    return CpuSample{server - other.server, database - other.database,
                     bench - other.bench, machine - other.machine};
  }
};

struct CpuWatchOptions {
  pid_t server_pid = 0;    // 0: not measured
  pid_t database_pid = 0;  // 0: not measured
};

class CpuWatch {
 public:
  explicit CpuWatch(CpuWatchOptions options)
      : options_(options), ticks_per_second_(sysconf(_SC_CLK_TCK)) {}

  // A process that has gone, or a /proc that cannot be read, counts 0.
  CpuSample Sample() const {
    CpuSample sample;
    sample.bench = ProcessSeconds(getpid());
    if (options_.server_pid > 0) {
      sample.server = ProcessSeconds(options_.server_pid);
    }
    if (options_.database_pid > 0) {
      // With the children it has reaped: a backend that ended during the
      // phase was counted among the children before it.
      sample.database = ProcessSeconds(options_.database_pid,
                                       /*with_reaped_children=*/true);
      for (const pid_t child : ChildrenOf(options_.database_pid)) {
        sample.database += ProcessSeconds(child);
      }
    }
    sample.machine = MachineBusySeconds();
    return sample;
  }

  bool measures_server() const { return options_.server_pid > 0; }
  bool measures_database() const { return options_.database_pid > 0; }

 private:
  // The fields of /proc/PID/stat after the command name (which may hold
  // spaces, so it is skipped up to its closing parenthesis): field 3 of
  // proc(5) is the first.
  static std::vector<std::string> StatFields(pid_t pid) {
    std::ifstream file("/proc/" + std::to_string(pid) + "/stat");
    std::stringstream text;
    text << file.rdbuf();
    const std::string stat = text.str();
    const size_t end_of_name = stat.rfind(')');
    if (end_of_name == std::string::npos) return {};
    return absl::StrSplit(absl::string_view(stat).substr(end_of_name + 1), ' ',
                          absl::SkipEmpty());
  }

  double ProcessSeconds(pid_t pid, bool with_reaped_children = false) const {
    const std::vector<std::string> fields = StatFields(pid);
    // utime, stime, cutime and cstime are fields 14 to 17, here 11 to 14
    // (from 0).
    uint64_t ticks[4] = {0, 0, 0, 0};
    const size_t count = with_reaped_children ? 4 : 2;
    if (fields.size() < 15) return 0;
    uint64_t total = 0;
    for (size_t i = 0; i < count; ++i) {
      if (!absl::SimpleAtoi(fields[11 + i], &ticks[i])) return 0;
      total += ticks[i];
    }
    return static_cast<double>(total) / ticks_per_second_;
  }

  // The processes whose parent is `pid` (field 4 of stat, here 1).
  static std::vector<pid_t> ChildrenOf(pid_t pid) {
    std::vector<pid_t> children;
    DIR* proc = opendir("/proc");
    if (proc == nullptr) return children;
    while (const dirent* entry = readdir(proc)) {
      pid_t candidate = 0;
      if (!absl::SimpleAtoi(entry->d_name, &candidate)) continue;
      const std::vector<std::string> fields = StatFields(candidate);
      pid_t parent = 0;
      if (fields.size() > 1 && absl::SimpleAtoi(fields[1], &parent) &&
          parent == pid) {
        children.push_back(candidate);
      }
    }
    closedir(proc);
    return children;
  }

  // The first line of /proc/stat: "cpu user nice system idle iowait irq
  // softirq steal ...", in ticks. Busy: user to softirq but idle and
  // iowait; steal (time the hypervisor gave to others) is not.
  double MachineBusySeconds() const {
    std::ifstream file("/proc/stat");
    std::string line;
    std::getline(file, line);
    const std::vector<std::string> fields =
        absl::StrSplit(line, ' ', absl::SkipEmpty());
    uint64_t busy = 0;
    for (size_t i = 1; i < fields.size() && i <= 7; ++i) {
      uint64_t value = 0;
      if (i == 4 || i == 5 || !absl::SimpleAtoi(fields[i], &value)) continue;
      busy += value;
    }
    return static_cast<double>(busy) / ticks_per_second_;
  }

  const CpuWatchOptions options_;
  const long ticks_per_second_;
};

}  // namespace pedigree::bench

#endif  // PEDIGREE_BENCH_PROCESS_CPU_H_
