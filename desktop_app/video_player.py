"""The viewer's video player: play/pause, a seek bar, the time, and mute.

Qt Multimedia (PySide6-Addons, with Qt's FFmpeg backend) decodes in its own
threads, so the GUI thread never decodes a frame. It plays only files that
Photosift's isolated workers already decoded without harm (indexed videos),
which is what the viewer opens. It is imported when the first video is
shown: a library of photos never loads it, and a system without its audio
library (libpulse) still shows photos.
"""
from __future__ import annotations

import logging

from PySide6.QtCore import Qt, QUrl
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSlider, QStyle, QToolButton, QVBoxLayout, QWidget

from core.dates import clock
from desktop_app.icons import icon

log = logging.getLogger(__name__)


class VideoPlayer(QWidget):
    def __init__(self, parent=None):
        from PySide6.QtMultimedia import QAudioOutput, QMediaPlayer
        from PySide6.QtMultimediaWidgets import QVideoWidget

        super().__init__(parent)
        self._loaded_status = QMediaPlayer.MediaStatus.LoadedMedia
        self._playing = QMediaPlayer.PlaybackState.PlayingState
        self.player = QMediaPlayer(self)
        self.audio = QAudioOutput(self)
        self.player.setAudioOutput(self.audio)
        self.video = QVideoWidget(self)
        self.player.setVideoOutput(self.video)
        self.play_button = QToolButton(toolTip="Play or pause (Space)")
        self.play_button.setIcon(icon("play"))
        self.play_button.clicked.connect(self.toggle)
        self.seek = QSlider(Qt.Orientation.Horizontal)
        self.seek.setToolTip("Seek")
        self.seek.sliderMoved.connect(self.player.setPosition)
        self.time = QLabel("0:00 / 0:00")
        self.mute = QToolButton(checkable=True, toolTip="Mute")
        self.mute.toggled.connect(self._set_muted)
        self._set_muted(False)
        controls = QHBoxLayout()
        controls.addWidget(self.play_button)
        controls.addWidget(self.seek, 1)
        controls.addWidget(self.time)
        controls.addWidget(self.mute)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.video, 1)
        layout.addLayout(controls)
        self.player.positionChanged.connect(self._moved)
        self.player.durationChanged.connect(lambda ms: self.seek.setRange(0, ms))
        self.player.playbackStateChanged.connect(
            lambda state: self.play_button.setIcon(icon("pause" if state == self._playing else "play")))
        self.player.mediaStatusChanged.connect(self._status)
        self.player.errorOccurred.connect(lambda _error, text: self.time.setText(f"cannot play: {text}"))
        self._start_ms: int | None = None

    def open(self, path: str, start_s: float | None = None) -> None:
        """Play the video from `start_s` (a search's matching moment), or from the start."""
        self._start_ms = int(start_s * 1000) if start_s else None
        self.player.setSource(QUrl.fromLocalFile(path))

    def _status(self, status) -> None:
        if status == self._loaded_status:
            if self._start_ms is not None:
                self.player.setPosition(self._start_ms)
                self._start_ms = None
            self.player.play()

    def toggle(self) -> None:
        if self.player.playbackState() == self._playing:
            self.player.pause()
        else:
            self.player.play()

    def stop(self) -> None:
        """Stop and let go of the file (the viewer moved on to a photo, or closed)."""
        self.player.stop()
        self.player.setSource(QUrl())

    def _moved(self, ms: int) -> None:
        if not self.seek.isSliderDown():
            self.seek.setValue(ms)
        self.time.setText(f"{clock(ms / 1000)} / {clock(self.player.duration() / 1000)}")

    def _set_muted(self, muted: bool) -> None:
        self.audio.setMuted(muted)
        pixmap = QStyle.StandardPixmap.SP_MediaVolumeMuted if muted else QStyle.StandardPixmap.SP_MediaVolume
        self.mute.setIcon(self.style().standardIcon(pixmap))
