"""The Vietnamese a unit reads in its template: labels, input prompts, error messages and the
instructions sheet.

Form titles and column labels are the sample writer's (one wording of the contract for every
file the project writes). Excel limits a validation prompt's title to 32 characters and its
message to 255; xlsxwriter drops a longer one with only a warning, so the writer turns its
warnings into errors and the tests check these lengths.
"""

from __future__ import annotations

from dataclasses import dataclass

from ingest.sample.writers.wording import FORM_TITLES, LABELS

STT_LABEL = "STT"
NAME_LABEL = "Đơn vị"
TOTAL_LABEL = "Tổng cộng"
META_LABELS_VI = {
    "unit_name": "Đơn vị báo cáo:",
    "unit_code": "Mã đơn vị:",
    "year": "Năm báo cáo:",
    "report_date": "Ngày lập báo cáo:",
    "preparer": "Người lập biểu:",
}
TOTAL_CHECK_LABEL = "Chênh lệch Tổng cộng − cộng các đơn vị (phải bằng 0)"
SIGNATURE = ("Người lập biểu", "THỦ TRƯỞNG ĐƠN VỊ")
SIGNATURE_NOTE = ("(Ký, ghi rõ họ tên)", "(Ký tên, đóng dấu)")
LEGEND = ("Ô nền vàng là ô nhập số liệu; các ô khác được khóa để giữ đúng mẫu. Ô chuyển màu đỏ "
          "là số liệu chưa khớp: hãy kiểm tra lại trước khi gửi.")


def title(form: str, year: int) -> str:
    return FORM_TITLES[form].format(year=year)


def column_label(form: str, indicator: str) -> str:
    return LABELS[form][indicator]


def period_line(first: str, last: str) -> str:
    """The reporting period under the title. No colon: above the table a "label: value" cell
    is read as metadata, and "Kỳ báo cáo" is a label of the year."""
    return f"(Số liệu từ ngày {first} đến ngày {last})"


@dataclass(frozen=True)
class Prompt:
    """An input prompt and the error shown when the value breaks the rule."""

    input_title: str
    input_message: str
    error_title: str
    error_message: str


COUNT_PROMPT = Prompt(
    "Số nguyên, không âm",
    "Nhập số nguyên từ 0 trở lên, không ghi chữ, không ghi dấu chấm phân cách. Để trống nếu "
    "chưa báo cáo: ô trống không phải là số 0.",
    "Giá trị không hợp lệ",
    "Ô này chỉ nhận số nguyên từ 0 trở lên (không có phần thập phân, không ghi chữ). Nếu chưa "
    "có số liệu thì để trống ô.",
)
RATE_PROMPT = Prompt(
    "Tỷ lệ phần trăm (0 - 100)",
    "Nhập tỷ lệ phần trăm từ 0 đến 100, làm tròn hai chữ số thập phân (ví dụ 89,68). Không "
    "ghi dấu %. Cột này không bắt buộc: để trống nếu không tính.",
    "Tỷ lệ không hợp lệ",
    "Tỷ lệ phải là số từ 0 đến 100 (phần trăm), tối đa hai chữ số thập phân. Để trống nếu "
    "không tính.",
)
DATE_PROMPT = Prompt(
    "Ngày lập báo cáo",
    "Nhập ngày lập báo cáo theo thứ tự ngày/tháng/năm, ví dụ 15/11/2025. Báo cáo gửi lại "
    "(đính chính) phải ghi ngày mới hơn lần gửi trước.",
    "Ngày không hợp lệ",
    "Hãy nhập một ngày có thật theo thứ tự ngày/tháng/năm, ví dụ 15/11/2025.",
)
NAME_PROMPT = Prompt(
    "Tên đơn vị trực thuộc",
    "Ghi tên đơn vị trực thuộc (phòng, chi cục, xã…). Dòng có số liệu thì phải có tên đơn vị. "
    "Không ghi Tổng cộng ở đây: dòng Tổng cộng ở cuối bảng.",
    "Tên không hợp lệ",
    "Tên đơn vị trực thuộc tối đa 200 ký tự.",
)
PROMPTS = (COUNT_PROMPT, RATE_PROMPT, DATE_PROMPT, NAME_PROMPT)

INSTRUCTIONS_SHEET = "Hướng dẫn"


def instructions(unit_name: str, unit_code: str, year: int, forms: tuple[str, ...]) -> list[str]:
    """The lines of the instructions sheet, one per row (the reader ignores this sheet)."""
    listed = ", ".join(forms)
    enforcement = any(form.startswith("THADS") for form in forms)
    lines = [
        "HƯỚNG DẪN ĐIỀN BIỂU MẪU BÁO CÁO THỐNG KÊ",
        f"Đơn vị báo cáo {unit_name}, mã {unit_code}, năm báo cáo {year}.",
        "",
        f"1. Tệp gồm các biểu {listed}, mỗi biểu một trang tính. Không đổi tên trang tính, "
        "không xóa hoặc thêm cột, không sửa dòng đánh số cột.",
        "2. Tên đơn vị, mã đơn vị và năm báo cáo đã ghi sẵn. Ghi Ngày lập báo cáo "
        "(ngày/tháng/năm) và Người lập biểu; chỉ cần ghi ở biểu đầu tiên, các biểu sau để trống "
        "thì dùng chung.",
        "3. Mỗi dòng một đơn vị trực thuộc: ghi tên ở cột (1) và số liệu ở các cột tiếp theo. "
        "Dòng không dùng đến thì để trống cả dòng (chỉ còn số thứ tự): dòng đó không được tính.",
        "4. Dòng Tổng cộng là số liệu của toàn đơn vị, do đơn vị tự ghi (không phải công thức). "
        "Dưới bảng có dòng Chênh lệch: Tổng cộng trừ cộng các đơn vị trực thuộc; nếu khác 0 ô "
        "chuyển màu đỏ, hãy kiểm tra lại.",
        "5. Số liệu là số nguyên từ 0 trở lên. Ô để trống là chưa báo cáo, không phải số 0: "
        "nếu số liệu bằng 0 hãy ghi 0.",
        "6. Tỷ lệ (%) là phần trăm từ 0 đến 100, hai chữ số thập phân; cột tỷ lệ không bắt buộc.",
        "7. Các ô ngoài ô nhập được khóa để giữ đúng mẫu (không có mật khẩu). Nếu cần thêm dòng "
        "đơn vị trực thuộc: chọn Review/Xem lại > Unprotect Sheet/Bỏ bảo vệ trang tính, chèn "
        "dòng phía trên dòng Tổng cộng, ghi số thứ tự ở cột STT; không để dòng trống giữa bảng.",
        "8. Có thể điền bằng Excel, LibreOffice, WPS hoặc Google Sheets (tải về dạng .xlsx). "
        "Lưu tệp dạng .xlsx rồi gửi lại; gửi lại bản đính chính thì ghi ngày lập báo cáo mới.",
    ]
    if enforcement:
        lines.append(
            "9. Biểu THADS_TIEN ghi theo đơn vị nghìn đồng. Các cột Chênh lệch bên phải bảng "
            "kiểm tra các đẳng thức (4) = (2) + (3); (7) = (4) − (5) − (6); (7) = (8) + (9); "
            "(12) = (10) + (11); (13) = (7) − (12). Khác 0 thì ô chuyển màu đỏ.")
    return lines


__all__ = [
    "COUNT_PROMPT", "DATE_PROMPT", "INSTRUCTIONS_SHEET", "LEGEND", "META_LABELS_VI", "NAME_LABEL",
    "NAME_PROMPT", "PROMPTS", "RATE_PROMPT", "SIGNATURE", "SIGNATURE_NOTE", "STT_LABEL",
    "TOTAL_CHECK_LABEL", "TOTAL_LABEL", "Prompt", "column_label", "instructions",
    "period_line", "title",
]
