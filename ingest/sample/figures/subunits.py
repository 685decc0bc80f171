"""Sub-unit row labels as officers write them: districts before the 2025 reform, areas after."""

from __future__ import annotations

from ingest.sample.figures.seed import MERGER_YEAR

# District-level units of the cluster's provinces before 1 July 2025 (names as of 2024).
CLUSTER_DISTRICTS: dict[str, tuple[tuple[str, str], ...]] = {
    "02": (("thành phố", "Hà Giang"), ("huyện", "Đồng Văn"), ("huyện", "Mèo Vạc"),
           ("huyện", "Yên Minh"), ("huyện", "Quản Bạ"), ("huyện", "Vị Xuyên"),
           ("huyện", "Bắc Mê"), ("huyện", "Hoàng Su Phì"), ("huyện", "Xín Mần"),
           ("huyện", "Bắc Quang"), ("huyện", "Quang Bình")),
    "04": (("thành phố", "Cao Bằng"), ("huyện", "Bảo Lâm"), ("huyện", "Bảo Lạc"),
           ("huyện", "Hà Quảng"), ("huyện", "Trùng Khánh"), ("huyện", "Hạ Lang"),
           ("huyện", "Quảng Hòa"), ("huyện", "Hòa An"), ("huyện", "Nguyên Bình"),
           ("huyện", "Thạch An")),
    "10": (("thành phố", "Lào Cai"), ("huyện", "Bát Xát"), ("huyện", "Mường Khương"),
           ("huyện", "Si Ma Cai"), ("huyện", "Bắc Hà"), ("huyện", "Bảo Thắng"),
           ("huyện", "Bảo Yên"), ("thị xã", "Sa Pa"), ("huyện", "Văn Bàn")),
    "11": (("thành phố", "Điện Biên Phủ"), ("thị xã", "Mường Lay"), ("huyện", "Mường Nhé"),
           ("huyện", "Mường Chà"), ("huyện", "Tủa Chùa"), ("huyện", "Tuần Giáo"),
           ("huyện", "Điện Biên"), ("huyện", "Điện Biên Đông"), ("huyện", "Mường Ảng"),
           ("huyện", "Nậm Pồ")),
    "12": (("thành phố", "Lai Châu"), ("huyện", "Tam Đường"), ("huyện", "Mường Tè"),
           ("huyện", "Sìn Hồ"), ("huyện", "Phong Thổ"), ("huyện", "Than Uyên"),
           ("huyện", "Tân Uyên"), ("huyện", "Nậm Nhùn")),
    "14": (("thành phố", "Sơn La"), ("huyện", "Quỳnh Nhai"), ("huyện", "Thuận Châu"),
           ("huyện", "Mường La"), ("huyện", "Bắc Yên"), ("huyện", "Phù Yên"),
           ("huyện", "Mộc Châu"), ("huyện", "Yên Châu"), ("huyện", "Mai Sơn"),
           ("huyện", "Sông Mã"), ("huyện", "Sốp Cộp"), ("huyện", "Vân Hồ")),
    "20": (("thành phố", "Lạng Sơn"), ("huyện", "Tràng Định"), ("huyện", "Văn Lãng"),
           ("huyện", "Văn Quan"), ("huyện", "Bình Gia"), ("huyện", "Bắc Sơn"),
           ("huyện", "Hữu Lũng"), ("huyện", "Chi Lăng"), ("huyện", "Cao Lộc"),
           ("huyện", "Lộc Bình"), ("huyện", "Đình Lập")),
}
# Regional enforcement offices ("Phòng THADS khu vực") of the cluster's 2025 provinces:
# synthetic counts (355 offices nationally, about 10 per province; fewer in small provinces).
CLUSTER_REGIONAL_OFFICES_2025: dict[str, int] = {
    "04": 5, "08": 9, "11": 5, "12": 5, "14": 7, "15": 8, "20": 6}


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _numbered(template: str, count: int) -> tuple[str, ...]:
    return tuple(template.format(i=i) for i in range(1, count + 1))


def subunit_names(unit_type: str, province_code: str, year: int, count: int) -> tuple[str, ...]:
    """Sub-unit row labels as officers write them, for a province with `count` sub-units."""
    districts = CLUSTER_DISTRICTS.get(province_code)
    if year >= MERGER_YEAR:
        if unit_type == "THADS":
            return _numbered("Phòng Thi hành án dân sự khu vực {i}", count)
        if districts and len(districts) == count:  # unchanged province: the former districts
            return tuple(f"{_capital(kind)} {name} (cũ)" for kind, name in districts)
        return _numbered("Cụm xã, phường khu vực {i}", count)
    if districts and len(districts) == count:
        if unit_type == "THADS":
            return tuple(f"Chi cục THADS {kind} {name}" for kind, name in districts)
        return tuple(f"Phòng Tư pháp {kind} {name}" for kind, name in districts)
    # Other provinces (national scale): synthetic, numbered district-level units.
    if unit_type == "THADS":
        return _numbered("Chi cục THADS cấp huyện số {i:02d}", count)
    return _numbered("Phòng Tư pháp cấp huyện số {i:02d}", count)
