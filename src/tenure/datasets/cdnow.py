"""The CDNOW purchase histories: the data set of the BG/NBD and Gamma-Gamma papers.

CDNOW was an online music retailer. The data follow the 23,570 people who made
their first-ever purchase at CDNOW in the first quarter of 1997 through the end
of June 1998 (78 weeks); every row is one purchase: who, on which day, how many
CDs, and for how many dollars. The 1/10 sample (2,357 customers) is the one the
papers fit their models on, so its published figures make good test references.

Source: Bruce Hardie's data sets page, http://www.brucehardie.com/datasets/
(files ``CDNOW_master.txt`` and ``CDNOW_sample.txt``, shipped here gzipped and
otherwise unchanged; see ``data/README.md`` for checksums). Cite as:

- Fader, P. S., Hardie, B. G. S. and Lee, K. L. (2005). "Counting Your
  Customers" the Easy Way: An Alternative to the Pareto/NBD Model.
  *Marketing Science* 24(2), 275-284. (BG/NBD)
- Fader, P. S., Hardie, B. G. S. and Lee, K. L. (2005). RFM and CLV: Using
  Iso-Value Curves for Customer Base Analysis. *Journal of Marketing Research*
  42(4), 415-430. (Gamma-Gamma spend model)

Both loaders return the same columns, so code written against one runs on the
other:

==============  =================  =========================================
column          dtype              meaning
==============  =================  =========================================
``customer_id`` string             CDNOW customer id, zero-padded (``00004``)
``date``        datetime64[ns]     day of the purchase (no time of day)
``cds``         int64              number of CDs bought
``amount``      float64            dollar value of the purchase
==============  =================  =========================================

A customer can have several rows on one day; the papers merge them into one
transaction. That is modelling, so it is left to the caller (``stats``).
"""

from __future__ import annotations

import gzip
import io
from importlib.resources import files

import pandas as pd

COLUMNS = ("customer_id", "date", "cds", "amount")


def load_cdnow_master() -> pd.DataFrame:
    """All 23,570 customers' purchases: 69,659 rows, 1997-01-01 to 1998-06-30.

    >>> load_cdnow_master().shape
    (69659, 4)
    """
    return _load("CDNOW_master.txt.gz", list(COLUMNS))


def load_cdnow_sample() -> pd.DataFrame:
    """The papers' 1/10 sample: 2,357 customers, 6,919 rows.

    ``customer_id`` is the customer's id in the master file (the sample's own
    1..2,357 numbering is dropped, though rows keep its order), so the sample
    is exactly the master's rows of these customers and joins to it.

    >>> load_cdnow_sample().shape
    (6919, 4)
    """
    names = ["customer_id", "sample_id", "date", "cds", "amount"]
    return _load("CDNOW_sample.txt.gz", names).loc[:, list(COLUMNS)]


def _load(filename: str, names: list[str]) -> pd.DataFrame:
    """Parse one shipped file; the master has a header line, the sample does not."""
    raw = files("tenure.datasets").joinpath("data", filename).read_bytes()
    text = gzip.decompress(raw).decode("ascii")
    frame = pd.read_csv(
        io.StringIO(text),
        sep=r"\s+",
        header=None if text.lstrip()[:1].isdigit() else 0,
        names=names,
        dtype={"customer_id": str, "sample_id": str, "date": str},
    )
    frame["date"] = pd.to_datetime(frame["date"], format="%Y%m%d").astype("datetime64[ns]")
    return frame.astype({"cds": "int64", "amount": "float64"})
