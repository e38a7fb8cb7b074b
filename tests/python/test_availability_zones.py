"""The vendored zone table (infra/Configuration/availability-zones.json) against cfn-lint's, the oracle it was copied
from: cfn-lint 1.51.0, src/cfnlint/helpers.py AVAILABILITY_ZONES (aws-cloudformation/cfn-lint). The file's listed
additions are the only allowed differences; every region of the schema's enum has zones."""
import json
import pathlib
import unittest

ROOT = pathlib.Path(__file__).resolve().parents[2]
TABLE = json.loads((ROOT / "infra/Configuration/availability-zones.json").read_text(encoding="utf-8"))
SCHEMA = json.loads((ROOT / "environments/environment.schema.json").read_text(encoding="utf-8"))

# cfn-lint is pinned in scripts/python-tools.txt and installed by scripts/test.sh: a missing one fails, never skips.
import cfnlint.version
from cfnlint.helpers import AVAILABILITY_ZONES


class VendoredZonesMatchCfnLint(unittest.TestCase):
    def test_source_names_the_installed_version(self):
        self.assertEqual(TABLE["source"]["version"], cfnlint.version.__version__)

    def test_letters_per_region_equal_cfn_lints_plus_the_listed_additions(self):
        for region, letters in TABLE["letters"].items():
            with self.subTest(region=region):
                expected = {zone[len(region):] for zone in AVAILABILITY_ZONES[region]}
                expected |= set(TABLE["additions"].get(region, {}).get("letters", []))
                self.assertEqual(set(letters), expected)

    def test_every_commercial_region_of_cfn_lint_is_in_the_table(self):
        non_commercial = ("cn-", "us-gov-", "us-iso", "eu-isoe-", "eusc-")
        commercial = {r for r in AVAILABILITY_ZONES if not r.startswith(non_commercial)}
        self.assertEqual(set(TABLE["letters"]), commercial)

    def test_every_schema_region_has_zones(self):
        self.assertTrue(set(SCHEMA["properties"]["region"]["enum"]) <= set(TABLE["letters"]))


if __name__ == "__main__":
    unittest.main()
