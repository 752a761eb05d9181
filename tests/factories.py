"""Factories of test input: department and resource data as users would send it."""
from __future__ import annotations

import factory

from vocab.codes import make_credit_code


class DepartmentDataFactory(factory.DictFactory):
    credit_code = factory.Sequence(lambda n: make_credit_code("330000", f"{n + 100000:09d}"))
    name = factory.Sequence(lambda n: f"测试部门{n}")
    name_en = factory.Sequence(lambda n: f"Test department {n}")
    level = "provincial"
    region_code = "330000"
    parent = None


class DataItemFactory(factory.DictFactory):
    name = factory.Iterator(["统一社会信用代码", "企业名称", "成立日期", "注册资本"])
    type = factory.Iterator(["C", "C", "D", "Y"])
    length = 18


class DistributionFactory(factory.DictFactory):
    title = "数据文件"
    access_url = factory.Sequence(lambda n: f"https://data.example.gov.cn/dataset/{n}")
    download_url = factory.Sequence(lambda n: f"https://data.example.gov.cn/files/{n}.csv")
    format = "CSV"
    media_type = "text/csv"
    byte_size = 20480


class ResourceDataFactory(factory.DictFactory):
    """A valid, unconditionally shared and open electronic-file resource; traits for the rest."""

    title = factory.Sequence(lambda n: f"企业登记信息{n}")
    description = "全省企业法人登记的基本信息。"
    classification = "102"
    format_class = "electronic_file"
    format_type = "pdf"
    share_type = "unconditional"
    share_method = "platform_file"
    open_type = "unconditional"
    update_frequency = "monthly"
    keywords = factory.LazyFunction(lambda: ["企业", "登记"])
    distributions = factory.LazyFunction(lambda: [DistributionFactory()])

    class Params:
        conditional_share = factory.Trait(share_type="conditional", share_conditions="仅用于行政审批。")
        not_shared = factory.Trait(share_type="none", share_basis="《政府信息公开条例》第十四条。",
                                   share_method=None)
        conditional_open = factory.Trait(open_type="conditional", open_conditions="需签署数据使用协议。")
        database = factory.Trait(format_class="database", format_type="mysql",
                                 data_items=factory.LazyFunction(lambda: [DataItemFactory() for _ in range(4)]))

    @classmethod
    def _build(cls, model_class, *args, **kwargs):
        return {k: value for k, value in kwargs.items() if value is not None}

    _create = _build
