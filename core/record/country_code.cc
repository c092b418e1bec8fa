#include "core/record/country_code.h"

namespace pedigree::core::record {
namespace {

// Officially assigned ISO 3166-1 alpha-2 codes, sorted, two letters each.
constexpr char kAssigned[] =
    "ADAEAFAGAIALAMAOAQARASATAUAWAXAZ"
    "BABBBDBEBFBGBHBIBJBLBMBNBOBQBRBSBTBVBWBYBZ"
    "CACCCDCFCGCHCICKCLCMCNCOCRCUCVCWCXCYCZ"
    "DEDJDKDMDODZ"
    "ECEEEGEHERESET"
    "FIFJFKFMFOFR"
    "GAGBGDGEGFGGGHGIGLGMGNGPGQGRGSGTGUGWGY"
    "HKHMHNHRHTHU"
    "IDIEILIMINIOIQIRISIT"
    "JEJMJOJP"
    "KEKGKHKIKMKNKPKRKWKYKZ"
    "LALBLCLILKLRLSLTLULVLY"
    "MAMCMDMEMFMGMHMKMLMMMNMOMPMQMRMSMTMUMVMWMXMYMZ"
    "NANCNENFNGNINLNONPNRNUNZ"
    "OM"
    "PAPEPFPGPHPKPLPMPNPRPSPTPWPY"
    "QA"
    "RERORSRURW"
    "SASBSCSDSESGSHSISJSKSLSMSNSOSRSSSTSVSXSYSZ"
    "TCTDTFTGTHTJTKTLTMTNTOTRTTTVTWTZ"
    "UAUGUMUSUYUZ"
    "VAVCVEVGVIVNVU"
    "WFWS"
    "YEYT"
    "ZAZMZW";

static_assert(sizeof(kAssigned) - 1 == 2 * kAssignedCountryCodeCount,
              "country code table size");

}  // namespace

bool IsAssignedCountryCode(absl::string_view code) {
  if (code.size() != 2) return false;
  for (size_t i = 0; i < kAssignedCountryCodeCount; ++i) {
    if (kAssigned[2 * i] == code[0] && kAssigned[2 * i + 1] == code[1]) {
      return true;
    }
  }
  return false;
}

absl::string_view AssignedCountryCode(size_t index) {
  if (index >= kAssignedCountryCodeCount) return absl::string_view();
  return absl::string_view(kAssigned + 2 * index, 2);
}

}  // namespace pedigree::core::record
