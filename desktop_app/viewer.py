"""The photo viewer: the picture, its details, its tags (confirm or reject), and
the people in it (their names on their faces while the pointer is over the photo).

The photo is decoded in one of core's worker processes (a hostile file can
crash a decoder, and must not crash the app), handed back as JPEG bytes
that Photosift encoded itself, and only turned into a pixmap here; tag
changes go through the task runner, so the window never waits on disk or SQL.
"""
from __future__ import annotations

import html
import os
from dataclasses import dataclass, field

from PySide6.QtCore import QEvent, QRectF, Qt
from PySide6.QtGui import QColor, QImage, QKeySequence, QPainter, QPen, QPixmap, QShortcut
from PySide6.QtWidgets import (QDialog, QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QPushButton,
                               QSizePolicy, QSplitter, QStackedWidget, QVBoxLayout, QWidget)

from core.dates import clock
from core.errors import PhotosiftError
from desktop_app.text_panel import TextPanel, draw as draw_text, query_words



def _read_image(library, path: str) -> QImage | None:
    try:
        return QImage.fromData(library.render_for_display(path))
    except PhotosiftError:
        return None


def _score_line(score) -> str:
    if score is None:
        return ""
    value, likely = score
    return f"<br><b>Match score:</b> {value:.3f} ({'a likely match' if likely else 'below the cutoff: a weaker match'})"


def _offset(minutes: int | None) -> str:
    """" (UTC+01:00)": the zone of a local time, when the photo or its place says it."""
    if minutes is None:
        return ""
    sign, minutes = ("+" if minutes >= 0 else "−"), abs(minutes)
    return f" (UTC{sign}{minutes // 60:02d}:{minutes % 60:02d})"


def _details(photo, place=None) -> str:
    """The photo's lines under the picture; `place`: its stored place (core/places), if named."""
    rows = [("File", os.path.basename(photo.path)), ("Folder", os.path.dirname(photo.path)),
            ("Taken", (photo.taken_at or "unknown").replace("T", " ") + _offset(photo.utc_offset)),
            ("Size", f"{photo.width} × {photo.height} px, {photo.size / 1e6:.1f} MB" if photo.width else "")]
    if photo.duration_s is not None:
        rows.append(("Length", clock(photo.duration_s)))
    if photo.camera_make or photo.camera_model:
        rows.append(("Camera", " ".join(x for x in (photo.camera_make, photo.camera_model) if x)))
    if place is not None:
        rows.append(("Place", place.label))
    elif photo.latitude is not None:
        rows.append(("Place", f"{photo.latitude:.4f}, {photo.longitude:.4f}"))
    return "<br>".join(f"<b>{k}:</b> {html.escape(str(v))}" for k, v in rows if v)


@dataclass(frozen=True)
class _Shown:
    """What the viewer's background load found for one photo."""
    photo_id: int
    photo: object                  # core.types.Photo, or None if it left the library
    tags: list = field(default_factory=list)
    albums: list = field(default_factory=list)
    faces: list = field(default_factory=list)
    place: object = None           # core.places.gazetteer.Place
    image: object = None           # QImage
    inset: object = None           # QImage: the map around the photo's position
    motion: str | None = None      # a Live Photo's motion (the video beside the still)
    lines: list = field(default_factory=list)   # the text read in it (core.text.reader.Line)


class Viewer(QDialog):
    def __init__(self, window, photo_ids: list[int], position: int, scores: dict | None = None,
                 moments: dict | None = None, query: str = ""):
        """scores: photo id -> (score, above the cutoff), when the photos are a search's results;
        moments: video id -> the matching moment in seconds, where its playing starts;
        query: the search typed, whose words are highlighted where the photo's text holds them."""
        super().__init__(window)
        self.words = query_words(query)
        self.lines: list = []
        self.scores = scores or {}
        self.moments = moments or {}
        self.player = None             # desktop_app.video_player.VideoPlayer, made for the first video
        self.motion: str | None = None
        self.window_ = window
        self.library = window.library
        self.tasks = window.tasks
        self.photo_ids = photo_ids
        self.position = position
        self.setWindowTitle("Photosift")
        self.resize(1100, 760)

        self.image = QLabel(alignment=Qt.AlignmentFlag.AlignCenter)
        self.image.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self.image.setMinimumSize(200, 200)
        self.details = QLabel(wordWrap=True, textFormat=Qt.TextFormat.RichText)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.tags = QListWidget()
        confirm = QPushButton("Confirm tag")
        reject = QPushButton("Reject tag")
        confirm.clicked.connect(lambda: self._decide(True))
        reject.clicked.connect(lambda: self._decide(False))
        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.addWidget(self.details)
        self.live = QPushButton("▶ Play the Live Photo")
        self.live.setVisible(False)
        self.live.clicked.connect(self.play_motion)
        side_layout.addWidget(self.live)
        self.inset = QLabel()             # where the photo was taken, on the offline map
        self.inset.setVisible(False)
        side_layout.addWidget(self.inset)
        self.text = TextPanel()
        side_layout.addWidget(self.text)
        side_layout.addWidget(QLabel("<b>Tags</b> (confidence)"))
        side_layout.addWidget(self.tags, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(confirm)
        buttons.addWidget(reject)
        side_layout.addLayout(buttons)
        self.stage = QStackedWidget()    # the picture, or the video player
        self.stage.addWidget(self.image)
        splitter = QSplitter()
        splitter.addWidget(self.stage)
        splitter.addWidget(side)
        splitter.setStretchFactor(0, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)
        for key, step in ((Qt.Key.Key_Right, 1), (Qt.Key.Key_Left, -1)):
            QShortcut(QKeySequence(key), self, activated=lambda s=step: self.step(s))
        self._pixmap = QPixmap()
        self.photo = None
        self.faces: list[tuple] = []     # (Face, person name or None)
        self._hovered = False
        self.image.setMouseTracking(True)
        self.image.installEventFilter(self)
        self.show_photo()

    def step(self, delta: int) -> None:
        new = self.position + delta
        if 0 <= new < len(self.photo_ids):
            self.position = new
            self.show_photo()

    def show_photo(self) -> None:
        photo_id = self.photo_ids[self.position]
        lib = self.library

        def load():
            photo = lib.photo(photo_id)
            if photo is None:
                return _Shown(photo_id, None)
            inset = None
            if photo.latitude is not None:
                from desktop_app.map_view import inset as map_inset

                inset = map_inset(photo.latitude, photo.longitude)
            image = None if photo.media == "video" else _read_image(lib, photo.path)
            return _Shown(photo_id, photo, lib.organizer.tags_of(photo.path), lib.organizer.albums.containing(photo_id),
                          lib.people.in_photo(photo_id), lib.places.of(photo_id), image, inset,
                          lib.photos.motion_of(photo_id), lib.text_in(photo_id) or [])

        self.tasks.run(load, self._loaded)

    def _loaded(self, shown: _Shown) -> None:
        photo_id, photo, tags, albums, faces, image = (shown.photo_id, shown.photo, shown.tags, shown.albums,
                                                       shown.faces, shown.image)
        if photo_id != self.photo_ids[self.position] or photo is None:
            return
        self.photo = photo
        self.setWindowTitle(f"{os.path.basename(photo.path)} — Photosift")
        self.faces = faces
        names = sorted({name for _, name in faces if name})
        self.inset.setVisible(shown.inset is not None)
        if shown.inset is not None:
            self.inset.setPixmap(QPixmap.fromImage(shown.inset))
        self.details.setText(_details(photo, shown.place)
                             + (f"<br><b>Albums:</b> {', '.join(html.escape(a) for a in albums)}" if albums else "")
                             + (f"<br><b>People:</b> {', '.join(html.escape(n) for n in names)}" if names else "")
                             + _score_line(self.scores.get(photo_id)))
        self._pixmap = QPixmap.fromImage(image) if image is not None and not image.isNull() else QPixmap()
        self.motion = shown.motion
        self.lines = shown.lines
        self.text.show_lines(shown.lines)
        self.live.setVisible(shown.motion is not None)
        self._show_media(photo)
        self._show_tags(tags)

    def _show_media(self, photo) -> None:
        """The picture, or the player started at the search's moment."""
        if photo.media != "video":
            if self.player is not None:
                self.player.stop()
            self.stage.setCurrentWidget(self.image)
            self._fit()
            return
        self._play(photo.path, self.moments.get(photo.id))

    def play_motion(self) -> None:
        """Play a Live Photo's motion in place of its still."""
        if self.motion is not None:
            self._play(self.motion, None)

    def _play(self, path: str, start_s: float | None) -> None:
        if self.player is None:
            try:
                from desktop_app.video_player import VideoPlayer
            except ImportError as exc:   # Qt Multimedia or its system libraries are missing
                self.image.setText(f"Videos cannot be played here: {exc}")
                self.stage.setCurrentWidget(self.image)
                return
            self.player = VideoPlayer()
            self.stage.addWidget(self.player)
        self.stage.setCurrentWidget(self.player)
        self.player.open(path, start_s)

    def _show_tags(self, tags) -> None:
        self.tags.clear()
        for tag in tags:
            mark = {"confirmed": "✔ ", "auto": ""}.get(tag.source, "")
            score = "" if tag.score is None else f"  {tag.score:.0%}"
            item = QListWidgetItem(f"{mark}{tag.name}{score}  ({tag.category})")
            item.setData(Qt.ItemDataRole.UserRole, tag.name)
            self.tags.addItem(item)

    def _decide(self, confirmed: bool) -> None:
        item = self.tags.currentItem()
        if item is None or self.photo is None:
            return
        self.set_tag(item.data(Qt.ItemDataRole.UserRole), confirmed)

    def set_tag(self, name: str, confirmed: bool) -> None:
        """Confirm or reject a tag for the shown photo (in the background)."""
        path, lib = self.photo.path, self.library

        def apply():
            lib.organizer.set_tag(path, name, confirmed)
            return lib.organizer.tags_of(path)

        self.tasks.run(apply, self._show_tags, interactive=False)

    def _fit(self) -> None:
        if self._pixmap.isNull():
            self.image.setText("This photo cannot be shown.")
            return
        shown = self._pixmap.scaled(self.image.size(), Qt.AspectRatioMode.KeepAspectRatio,
                                    Qt.TransformationMode.SmoothTransformation)
        if self._hovered and self.faces:
            self._draw_faces(shown)
        if self.lines and (self._hovered or self.words):
            draw_text(shown, self.lines, self.words, outline=self._hovered)
        self.image.setPixmap(shown)

    def _draw_faces(self, pixmap: QPixmap) -> None:
        """Boxes, with names, on the faces (boxes are fractions of the upright photo)."""
        painter = QPainter(pixmap)
        painter.setPen(QPen(QColor(255, 255, 255), 2))
        w, h = pixmap.width(), pixmap.height()
        for face, name in self.faces:
            x, y, fw, fh = face.box
            rect = QRectF(x * w, y * h, fw * w, fh * h)
            painter.drawRect(rect)
            label = name or (f"Unnamed #{face.person_id}" if face.person_id else "")
            if label:
                painter.drawText(rect.adjusted(0, rect.height() + 2, 0, 22), Qt.AlignmentFlag.AlignHCenter, label)
        painter.end()

    def eventFilter(self, obj, event) -> bool:
        if obj is self.image and event.type() in (QEvent.Type.Enter, QEvent.Type.Leave):
            self._hovered = event.type() == QEvent.Type.Enter
            self._fit()
        return super().eventFilter(obj, event)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit()

    def done(self, result: int) -> None:
        if self.player is not None:
            self.player.stop()
        super().done(result)
