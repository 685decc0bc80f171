"""The Vietnamese text of a report: form titles, column labels (the spec's and a variant some
units use), header groups, the instructions sheet and the synthetic-data note."""

from __future__ import annotations

SYNTHETIC_NOTE = ("Ghi chú: SỐ LIỆU GIẢ LẬP (synthetic data), tạo tự động để thử nghiệm kho dữ "
                  "liệu; không phải số liệu thống kê chính thức.")
TITLE_SUFFIX = " (DỮ LIỆU GIẢ LẬP — MẪU)"

FORM_TITLES = {
    "PBGDPL": "BÁO CÁO KẾT QUẢ PHỔ BIẾN, GIÁO DỤC PHÁP LUẬT NĂM {year}",
    "HOAGIAI": "BÁO CÁO KẾT QUẢ HÒA GIẢI Ở CƠ SỞ NĂM {year}",
    "THADS_VIEC": "BÁO CÁO KẾT QUẢ THI HÀNH ÁN DÂN SỰ NĂM {year} - TÍNH BẰNG VIỆC",
    "THADS_TIEN": ("BÁO CÁO KẾT QUẢ THI HÀNH ÁN DÂN SỰ NĂM {year} - TÍNH BẰNG TIỀN "
                   "(ĐƠN VỊ TÍNH: NGHÌN ĐỒNG)"),
}

# Column labels as the spec words them, and as some units word them. Column numbers fix the
# meaning; labels are for people.
_ENF_LABELS = {
    "carried_over": "Năm trước chuyển sang", "new": "Thụ lý mới",
    "accepted": "Tổng số thụ lý = (2) + (3)", "entrusted": "Ủy thác",
    "revoked": "Thu hồi, hủy quyết định thi hành án",
    "to_enforce": "Tổng số phải thi hành = (4) − (5) − (6)",
    "eligible": "Có điều kiện thi hành", "not_eligible": "Chưa có điều kiện thi hành",
    "completed": "Thi hành xong", "terminated": "Đình chỉ thi hành án",
    "resolved": "Giải quyết xong = (10) + (11)", "carried_forward": "Chuyển kỳ sau = (7) − (12)",
    "resolution_rate": "Tỷ lệ giải quyết xong (%)",
}
_ENF_VARIANT = {
    "carried_over": "Số cũ chuyển sang", "new": "Số mới thụ lý", "accepted": "Tổng thụ lý",
    "entrusted": "Số ủy thác đi", "revoked": "Thu hồi, hủy QĐ THA",
    "to_enforce": "Tổng số phải THA", "eligible": "Số có điều kiện",
    "not_eligible": "Số chưa có điều kiện", "completed": "Xong", "terminated": "Đình chỉ",
    "resolved": "Tổng số giải quyết", "carried_forward": "Số chuyển kỳ sau",
    "resolution_rate": "Tỷ lệ %",
}
LABELS: dict[str, dict[str, str]] = {
    "PBGDPL": {
        "sessions": "Số cuộc phổ biến, giáo dục pháp luật trực tiếp",
        "attendees": "Số lượt người tham dự",
        "documents": "Số tài liệu phổ biến, giáo dục pháp luật được phát hành",
        "legal_reporters": "Số báo cáo viên pháp luật",
        "legal_propagandists": "Số tuyên truyền viên pháp luật",
    },
    "HOAGIAI": {
        "teams": "Số tổ hòa giải", "mediators": "Số hòa giải viên",
        "cases_received": "Tổng số vụ, việc hòa giải tiếp nhận",
        "cases_successful": "Hòa giải thành", "cases_unsuccessful": "Hòa giải không thành",
        "cases_pending": "Đang hòa giải", "success_rate": "Tỷ lệ hòa giải thành (%)",
    },
    "THADS_VIEC": _ENF_LABELS,
    "THADS_TIEN": _ENF_LABELS,
}
VARIANT_LABELS: dict[str, dict[str, str]] = {
    "PBGDPL": {
        "sessions": "Số cuộc PBGDPL trực tiếp", "attendees": "Số lượt người nghe",
        "documents": "Số tài liệu PBGDPL phát hành", "legal_reporters": "Báo cáo viên PL",
        "legal_propagandists": "Tuyên truyền viên PL",
    },
    "HOAGIAI": {
        "teams": "Tổ hòa giải", "mediators": "Hòa giải viên",
        "cases_received": "Số vụ việc tiếp nhận", "cases_successful": "Thành",
        "cases_unsuccessful": "Không thành", "cases_pending": "Đang giải quyết",
        "success_rate": "Tỷ lệ thành (%)",
    },
    "THADS_VIEC": _ENF_VARIANT,
    "THADS_TIEN": _ENF_VARIANT,
}
# Header groups some units draw above the labels: (first column, last column, text).
GROUP_HEADERS: dict[str, tuple[tuple[int, int, str], ...]] = {
    "PBGDPL": ((2, 4, "Kết quả phổ biến, giáo dục pháp luật"), (5, 6, "Đội ngũ")),
    "HOAGIAI": ((2, 3, "Tổ chức"), (4, 8, "Kết quả hòa giải")),
    "THADS_VIEC": ((2, 4, "Thụ lý"), (5, 9, "Phải thi hành"), (10, 14, "Kết quả")),
    "THADS_TIEN": ((2, 4, "Thụ lý"), (5, 9, "Phải thi hành"), (10, 14, "Kết quả")),
}

INSTRUCTIONS = (
    "HƯỚNG DẪN ĐIỀN BIỂU MẪU",
    "1. Mỗi biểu một trang tính; tên trang tính là mã biểu (PBGDPL, HOAGIAI, THADS_VIEC, "
    "THADS_TIEN).",
    "2. Ghi đủ Đơn vị báo cáo, Năm báo cáo và Ngày lập báo cáo (ngày/tháng/năm).",
    "3. Cột (1) ghi tên đơn vị cấp dưới; dòng Tổng cộng là số liệu của toàn đơn vị.",
    "4. Số liệu là số nguyên, không ghi chữ; ô để trống là chưa báo cáo (không phải số 0).",
    "5. Số liệu tiền tính bằng nghìn đồng. Tỷ lệ tính theo phần trăm (%).",
    SYNTHETIC_NOTE,
)
